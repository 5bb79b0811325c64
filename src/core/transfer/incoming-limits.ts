/**
 * Receiver limits against a peer that offers and never sends (issue 17):
 * per-peer caps checked when an offer arrives, the idle watch that ends an
 * accepted transfer getting no data while its peer is online, and the
 * coalesced compaction that takes ended transfers' manifests out of the
 * receiver journal while the engine runs (not only at the next start).
 * Values and reasons: constants.ts.
 */
import type { DeviceId } from '../../protocol/device-id.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { RecordLog } from '../record-log.js';
import { ACCEPTED_IDLE_CHECK_MS, MAX_IDLE_ACCEPTED_PER_PEER, MAX_PEER_MANIFEST_BYTES } from './constants.js';
import type { IncomingTransfer } from './incoming.js';
import type { InRecord } from './records.js';
import { foldIncoming } from './restore.js';

/**
 * Why a new offer of `weight` manifest bytes from `peerId` is refused (BUSY), or undefined.
 * `autoAccept`: offers of this peer are accepted without asking, so one still being accepted
 * counts as accepted-idle too (a burst of offers must not all pass before the first is accepted).
 */
export function peerOverLimits(peerId: DeviceId, incoming: Iterable<IncomingTransfer>, weight: number, autoAccept: boolean): string | undefined {
  let idle = 0;
  let held = 0;
  for (const t of incoming) {
    if (t.peerId !== peerId || t.terminal) continue;
    held += t.manifestBytes;
    if ((t.isAccepted || autoAccept) && !t.hasBulk && t.state !== 'verifying') idle++;
  }
  if (idle >= MAX_IDLE_ACCEPTED_PER_PEER) return `${idle} accepted transfers from you are still waiting for their data`;
  if (held + weight > MAX_PEER_MANIFEST_BYTES) {
    return `your unfinished transfers already list ${held} bytes of files; this one (${weight}) would pass the ${MAX_PEER_MANIFEST_BYTES}-byte cap`;
  }
  return undefined;
}

/**
 * How many of the oldest `finished` transfers to forget: past `maxViews`, and past `maxWeight`
 * bytes of manifests kept for the views (the newest are kept).
 */
export function finishedToDrop(finished: readonly object[], maxViews: number, maxWeight: number): number {
  const drop = Math.max(0, finished.length - maxViews);
  let weight = 0;
  for (let i = finished.length - 1; i >= drop; i--) {
    weight += (finished[i] as { manifestBytes?: number }).manifestBytes ?? 0;
    if (weight > maxWeight) return i + 1;
  }
  return drop;
}

/**
 * Ends accepted transfers that make no progress while their peer is online for `expiryMs`.
 * Runs a timer only while there is something to watch.
 */
export class IdleWatch {
  private readonly seen = new Map<IncomingTransfer, { progress: number; since: number }>();
  private timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly expiryMs: number,
    private readonly transfers: () => Iterable<IncomingTransfer>,
    private readonly isOnline: (peer: DeviceId) => boolean,
    private readonly onIdle: (t: IncomingTransfer, idleMs: number) => void,
  ) {}

  /** Something may need watching now (an offer was accepted, a transfer restored). */
  poke(): void {
    if (this.timer) return;
    this.timer = this.clock.setInterval(() => this.check(), Math.min(ACCEPTED_IDLE_CHECK_MS, this.expiryMs));
  }

  stop(): void {
    this.clock.clearInterval(this.timer);
    this.timer = undefined;
    this.seen.clear();
  }

  private check(): void {
    const now = this.clock.now();
    const live = new Set<IncomingTransfer>();
    for (const t of this.transfers()) {
      if (!t.isAccepted || t.terminal || t.state === 'verifying') continue;
      live.add(t);
      const progress = t.bytesDone + t.bytesOnWire;
      const s = this.seen.get(t);
      if (!s || s.progress !== progress || !this.isOnline(t.peerId)) {
        this.seen.set(t, { progress, since: now });
        continue;
      }
      if (now - s.since >= this.expiryMs) {
        this.seen.delete(t);
        live.delete(t);
        this.onIdle(t, now - s.since);
      }
    }
    for (const t of [...this.seen.keys()]) if (!live.has(t)) this.seen.delete(t);
    if (live.size === 0) this.stop();
  }
}

/** Rewrites the receiver journal without the records of ended transfers; at most one rewrite at a time. */
export class IncomingCompactor {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly log: RecordLog<InRecord>,
    private readonly onError: (err: unknown) => void,
  ) {}

  request(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.log
      .rewrite((current) => foldIncoming(current).keep)
      .catch((err: unknown) => this.onError(err))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.request();
        }
      });
  }

  /** Resolves when no rewrite is running. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }
}
