/**
 * What a discovery datagram may change about a peer, given what authenticated
 * sessions said. Discovery is an unauthenticated hint (anyone on the LAN can
 * send a PING or BYE carrying any device ID), so:
 * - a peer with a live session: its state comes from the session alone. A
 *   BYE does not make it "left", an announcement from elsewhere is not news;
 * - redials of a pinned peer go to the address of its last authenticated
 *   session first; an announced address is tried only in addition, and one
 *   that failed is left alone for a growing while (so repeated spoofed
 *   announcements cannot steer every redial to the spoofer).
 */
import type { DeviceId } from '../../protocol/device-id.js';
import type { Clock } from '../clock.js';

/** First pause after a dial to an announced address failed; doubles per failure up to the max. */
export const HINT_BACKOFF_MIN_MS = 2_000;
/** Longest pause; a real move of the peer is still picked up within a minute (and at once by its session). */
export const HINT_BACKOFF_MAX_MS = 60_000;
/** Announced addresses remembered as failing (oldest forgotten first), so a flood of IDs cannot grow it. */
export const HINT_BACKOFF_MAX_ENTRIES = 1_024;

export interface Address {
  readonly host: string;
  readonly port: number;
}
export interface DialTarget extends Address {
  /** A certificate mismatch here is reported as a changed certificate (the pinned address), not counted quietly. */
  readonly loud: boolean;
}

const same = (a: Address | undefined, b: Address | undefined) => !!a && !!b && a.host === b.host && a.port === b.port;

/**
 * A peer heard at a new address again within this long after its last
 * 'peer-discovered' gets no new event (the snapshot still shows the address):
 * datagrams with one ID from many source addresses make one event, not one each.
 * A real peer moves far less often than it announces (every 5 s).
 */
export const DISCOVERED_EVENT_COALESCE_MS = 5_000;

/** A discovery sighting of `id`: emit 'peer-discovered'? dial now? */
export function onSighting(s: {
  readonly firstTime: boolean;
  readonly moved: boolean;
  /** Since the last 'peer-discovered' for this peer (undefined: none yet). */
  readonly msSinceEvent?: number;
  readonly pinned: boolean;
  readonly hasSession: boolean;
  readonly connecting: boolean;
  readonly hintBackedOff: boolean;
}): { emit: boolean; dialNow: boolean } {
  return {
    emit: !s.hasSession && (s.firstTime || (s.moved && (s.msSinceEvent === undefined || s.msSinceEvent >= DISCOVERED_EVENT_COALESCE_MS))),
    dialNow: s.pinned && !s.hasSession && !s.connecting && !s.hintBackedOff,
  };
}

/** Discovery says `id` is gone (BYE, expired, evicted): emit 'peer-left' only without a live session. */
export function onDeparture(reason: string, hasSession: boolean): { emitLeft: boolean } {
  return { emitLeft: reason === 'bye' && !hasSession };
}

/** Where to dial a pinned peer, best first: its last authenticated address, then a usable announced one. */
export function pinnedTargets(pinned: Address | undefined, hint: Address | undefined, hintUsable: boolean): DialTarget[] {
  const out: DialTarget[] = [];
  if (pinned) out.push({ ...pinned, loud: true });
  if (hint && hintUsable && !same(hint, pinned)) out.push({ ...hint, loud: false });
  return out;
}

/**
 * Announced addresses whose dial failed, with an exponential backoff per
 * address and per peer (so a spoofer rotating addresses or ports gets one
 * extra dial per backoff period, not one per announcement).
 */
export class HintBackoff {
  private readonly entries = new Map<string, { failures: number; until: number }>();

  constructor(private readonly clock: Pick<Clock, 'now'>) {}

  private key(id: DeviceId, a: Address): string {
    return `${id}|${a.host}|${a.port}`;
  }

  /** True while a dial to `a` for `id` should not be tried. */
  backedOff(id: DeviceId, a: Address | undefined): boolean {
    if (!a) return false;
    const now = this.clock.now();
    return [this.key(id, a), id].some((k) => {
      const e = this.entries.get(k);
      return !!e && now < e.until;
    });
  }

  failed(id: DeviceId, a: Address): void {
    for (const k of [this.key(id, a), id]) {
      const failures = (this.entries.get(k)?.failures ?? 0) + 1;
      this.entries.delete(k);
      const wait = Math.min(HINT_BACKOFF_MAX_MS, HINT_BACKOFF_MIN_MS * 2 ** (failures - 1));
      this.entries.set(k, { failures, until: this.clock.now() + wait });
    }
    while (this.entries.size > HINT_BACKOFF_MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  /** A session came up with `id` at `a`. */
  succeeded(id: DeviceId, a: Address): void {
    this.entries.delete(this.key(id, a));
    this.entries.delete(id);
  }

  get size(): number {
    return this.entries.size;
  }
}
