/** Transfers as the dashboard sees them (engine-api TransferView), rates and ETA from the sampled meter. */
import type { OfferView, TransferView } from '../engine-api.js';
import type { IncomingTransfer } from './incoming.js';
import type { OutgoingTransfer } from './outgoing.js';
import type { RateMeter } from './progress.js';

/** One line for a transfer: its only top-level entry (folder or file), else "N files". */
export function labelOf(files: readonly { readonly path: string }[], dirs: readonly string[]): string {
  const tops = new Set([...files.map((f) => f.path), ...dirs].map((p) => p.split('/')[0]!));
  if (tops.size === 1) return [...tops][0]!;
  return `${files.length} file${files.length === 1 ? '' : 's'}`;
}

/** A received path under the name its top-level entry was published as. */
function landedPath(p: string, tops: ReadonlyMap<string, string>): string {
  const slash = p.indexOf('/');
  const top = slash < 0 ? p : p.slice(0, slash);
  const as = tops.get(top);
  return as === undefined ? p : as + (slash < 0 ? '' : p.slice(slash));
}

export function viewOf(t: OutgoingTransfer | IncomingTransfer, peerName: string, meter: RateMeter | undefined): TransferView {
  const files = t.direction === 'send' ? t.files.map((f) => ({ path: f.rel })) : t.files.map((f, i) => ({ path: t.landedFiles.get(i) ?? landedPath(f.path, t.landedTops) }));
  const dirs = t.direction === 'send' ? t.dirs : t.dirs.map((d) => landedPath(d, t.landedTops));
  const moving = t.state === 'active' || t.state === 'verifying';
  const rate = moving ? Math.round(meter?.rate ?? 0) : 0;
  const eta = moving ? meter?.eta(t.bytesTotal - t.bytesDone) : undefined;
  return {
    id: t.id,
    direction: t.direction,
    peerId: t.peerId,
    peerName,
    label: labelOf(files, dirs),
    fileCount: t.files.length,
    bytesDone: t.bytesDone,
    bytesTotal: t.bytesTotal,
    rate,
    ...(eta !== undefined ? { etaSeconds: eta } : {}),
    state: t.state,
    attempts: t.attempts,
    ...(t.error ? { error: { ...t.error } } : {}),
  };
}

/** A pending offer for the dialog: what, how much, where it lands and the room there. */
export function offerViewOf(t: IncomingTransfer, peerName: string, freeBytes: number | undefined, destination: string): OfferView {
  return { id: t.id, peerId: t.peerId, peerName, files: t.files.map((f) => ({ ...f })), totalBytes: t.bytesTotal, ...(freeBytes !== undefined ? { freeBytes } : {}), destination };
}
