/**
 * Receiver: room for an offer in the downloads folder (fs.statfs), after the
 * reserve every disk keeps and what accepted transfers will still write; and
 * the reason a person reads (both ends) when an offer does not fit.
 */
import { diskSpace, spaceReserve } from './landing.js';

export interface Room {
  /** Bytes an offer may use: free − reserve − promised (never below 0). */
  readonly room: number;
  readonly free: number;
  readonly reserve: number;
  readonly promised: number;
}

export async function roomIn(downloads: string, promised: number, reserveBytes?: number): Promise<Room> {
  const { free, total } = await diskSpace(downloads);
  const reserve = reserveBytes ?? spaceReserve(total);
  return { room: Math.max(0, free - reserve - promised), free, reserve, promised };
}

/** Why `need` bytes do not fit, or undefined when they do. */
export function spaceShortfall(need: number, r: Room, downloads: string): string | undefined {
  if (need <= r.room) return undefined;
  const kept = `keeping ${bytes(r.reserve)} free${r.promised ? `, ${bytes(r.promised)} promised to other transfers` : ''}`;
  return `not enough space: needs ${bytes(need)}, ${bytes(r.room)} available in ${downloads} (${kept})`;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** `1536` → `1.5 KiB` (the dashboard's units). */
function bytes(n: number): string {
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(v < 100 ? 1 : 0)} ${UNITS[u]}`;
}
