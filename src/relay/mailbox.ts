/**
 * The relay's RAM mailbox: envelopes held per recipient until the recipient
 * ACKs them or they expire. Nothing is written to disk (a restart forgets
 * everything, by design: senders keep their outbox items until an end-to-end
 * receipt and deposit again). A full mailbox refuses (QUOTA); it never evicts.
 */
import type { DeviceId } from '../protocol/device-id.js';
import type { RelayLimits } from './relay-limits.js';

export interface HeldEnvelope {
  readonly id: string;
  readonly to: DeviceId;
  readonly from: DeviceId;
  /** Relay wall clock (ms since the epoch) when it was deposited: what RELAY_PUSH reports. */
  readonly at: number;
  /** Monotonic clock time it expires at. */
  readonly expiresAt: number;
  readonly bytes: Buffer;
}

export type DepositResult = { readonly ok: true } | { readonly ok: false; readonly code: 'QUOTA' | 'DUPLICATE'; readonly reason: string };

interface Queue {
  readonly items: Map<string, HeldEnvelope>;
  bytes: number;
}

export class Mailbox {
  private readonly queues = new Map<DeviceId, Queue>();
  private total = 0;
  private count = 0;

  constructor(private readonly limits: Pick<RelayLimits, 'maxQueueEnvelopes' | 'maxQueueBytes' | 'maxTotalBytes' | 'ttlMs'>) {}

  get heldEnvelopes(): number {
    return this.count;
  }
  get heldBytes(): number {
    return this.total;
  }

  heldFor(to: DeviceId): number {
    return this.queues.get(to)?.items.size ?? 0;
  }

  /** `now` is the monotonic clock (the TTL runs on it); `e.at` the wall clock. */
  deposit(e: Omit<HeldEnvelope, 'expiresAt'>, now: number): DepositResult {
    const q = this.queues.get(e.to);
    if (q?.items.has(e.id)) return { ok: false, code: 'DUPLICATE', reason: 'an envelope with this id is already held' };
    const size = e.bytes.length;
    if ((q?.items.size ?? 0) + 1 > this.limits.maxQueueEnvelopes) {
      return { ok: false, code: 'QUOTA', reason: `the recipient's mailbox holds ${this.limits.maxQueueEnvelopes} envelopes` };
    }
    if ((q?.bytes ?? 0) + size > this.limits.maxQueueBytes) {
      return { ok: false, code: 'QUOTA', reason: `the recipient's mailbox is full (${this.limits.maxQueueBytes} bytes)` };
    }
    if (this.total + size > this.limits.maxTotalBytes) {
      return { ok: false, code: 'QUOTA', reason: `the relay is full (${this.limits.maxTotalBytes} bytes held)` };
    }
    const queue = q ?? { items: new Map(), bytes: 0 };
    if (!q) this.queues.set(e.to, queue);
    queue.items.set(e.id, { ...e, expiresAt: now + this.limits.ttlMs });
    queue.bytes += size;
    this.total += size;
    this.count++;
    return { ok: true };
  }

  /** Everything held for `to`, oldest first (insertion order). */
  list(to: DeviceId): HeldEnvelope[] {
    return [...(this.queues.get(to)?.items.values() ?? [])];
  }

  /** Delete acknowledged envelopes; returns those that were held (unknown ids are ignored). */
  ack(to: DeviceId, ids: readonly string[]): HeldEnvelope[] {
    const q = this.queues.get(to);
    if (!q) return [];
    const gone: HeldEnvelope[] = [];
    for (const id of ids) {
      const e = q.items.get(id);
      if (e) {
        this.remove(q, e);
        gone.push(e);
      }
    }
    if (q.items.size === 0) this.queues.delete(to);
    return gone;
  }

  /** Drop and return every envelope whose TTL has passed at `now`. */
  sweep(now: number): HeldEnvelope[] {
    const gone: HeldEnvelope[] = [];
    for (const [to, q] of this.queues) {
      for (const e of q.items.values()) {
        if (e.expiresAt <= now) {
          this.remove(q, e);
          gone.push(e);
        }
      }
      if (q.items.size === 0) this.queues.delete(to);
    }
    return gone;
  }

  /** Test hook: every held envelope's bytes (the plaintext-canary check looks through these). */
  allBytes(): Buffer[] {
    return [...this.queues.values()].flatMap((q) => [...q.items.values()].map((e) => e.bytes));
  }

  private remove(q: Queue, e: HeldEnvelope): void {
    q.items.delete(e.id);
    q.bytes -= e.bytes.length;
    this.total -= e.bytes.length;
    this.count--;
  }
}
