/**
 * The persistent outbox: work for a peer that is offline (a chat message, a
 * send) waits here, survives restarts, and is retried with backoff and at once
 * when the peer is seen again. Every change is appended to a journal and
 * fsynced before the caller hears "queued". Delivery is at-least-once; the
 * receiver de-duplicates by id, so the user sees it exactly once.
 */
import type { DeviceId } from '../../protocol/device-id.js';
import type { Clock, Random, TimerHandle } from '../clock.js';
import { backoffDelay } from './backoff.js';
import type { RecordLog } from '../record-log.js';

export type OutboxKind = 'chat' | 'send';
export type OutboxState = 'queued' | 'sending' | 'delivered' | 'failed' | 'cancelled';

export interface OutboxItem {
  readonly id: string;
  readonly peerId: DeviceId;
  readonly kind: OutboxKind;
  /** Same key while pending = same item (a send queued twice is one item). */
  readonly dedupeKey: string;
  readonly payload: unknown;
  readonly createdAt: number;
  readonly attempts: number;
  readonly state: OutboxState;
  /** Monotonic ms of the next attempt (not persisted: recomputed on open). */
  readonly nextAttemptAt?: number;
  readonly lastError?: { code: string; message: string };
}

/** Journal records: the outbox is the fold of these. */
export type OutboxRecord =
  | { op: 'add'; item: Omit<OutboxItem, 'attempts' | 'state' | 'nextAttemptAt' | 'lastError'> }
  | { op: 'attempt'; id: string; error?: { code: string; message: string } }
  | { op: 'delivered'; id: string }
  | { op: 'failed'; id: string; error: { code: string; message: string } }
  | { op: 'cancel'; id: string };


const PENDING: ReadonlySet<OutboxState> = new Set(['queued', 'sending']);
/** Compact the journal when it holds this many more records than live items need. */
const COMPACT_SLACK = 512;
/** Finished items kept for `outbox list` after they are done. */
const KEEP_FINISHED = 100;
/** Delivered and cancelled items older than this (by when they were queued) are dropped on open. */
export const FINISHED_MAX_AGE_MS = 7 * 24 * 3600_000;
/** The error with which a deliverer says "not tried: the peer is not online": no attempt is counted. */
export const NOT_TRIED_CODE = 'ERR_PEER_OFFLINE';

export interface OutboxOptions {
  /**
   * Hand the deliverer only work added (or asked for with retryNow) in this
   * process: a private one-shot engine (`chat`, `outbox list`, …) must not
   * make attempts on everything queued while no engine runs.
   */
  ownWorkOnly?: boolean;
}

export class Outbox {
  private items = new Map<string, OutboxItem>();
  private records = 0;
  private timer: TimerHandle | undefined;
  private onDue: ((item: OutboxItem) => void) | undefined;
  private readonly listeners = new Set<() => void>();
  /** Items asked to go again while an attempt was under way: their retry comes at once, not after backoff. */
  private readonly againSoon = new Set<string>();
  /** Rounds an item waited for its peer without being tried (in memory only: they set the backoff, not `attempts`). */
  private readonly waits = new Map<string, number>();
  /** With ownWorkOnly: the items this process may deliver. */
  private readonly own = new Set<string>();

  constructor(
    private readonly log: RecordLog<OutboxRecord>,
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly options: OutboxOptions = {},
  ) {}

  /** Replay the journal. Items that were "sending" when we stopped go back to queued. */
  async open(): Promise<void> {
    const records = await this.log.readAll();
    this.records = records.length;
    for (const r of records) this.apply(r);
    const now = this.clock.now();
    for (const [id, it] of this.items) {
      if (PENDING.has(it.state)) this.items.set(id, { ...it, state: 'queued', nextAttemptAt: now });
    }
    const cutoff = this.clock.wallNow() - FINISHED_MAX_AGE_MS;
    const old = [...this.items.values()].filter((it) => (it.state === 'delivered' || it.state === 'cancelled') && it.createdAt < cutoff);
    if (old.length) await this.drop(old.map((it) => it.id));
    this.schedule();
  }

  /** Drop every delivered and cancelled item now (`outbox clear`); resolves with how many. */
  async clearFinished(): Promise<number> {
    const done = [...this.items.values()].filter((it) => it.state === 'delivered' || it.state === 'cancelled');
    if (done.length) await this.drop(done.map((it) => it.id));
    this.changed();
    return done.length;
  }

  /** Start handing due items to `fn` (the engine's deliverer). */
  start(fn: (item: OutboxItem) => void): void {
    this.onDue = fn;
    this.schedule();
  }

  stop(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.onDue = undefined;
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  list(): OutboxItem[] {
    return [...this.items.values()].sort((a, b) => a.createdAt - b.createdAt);
  }

  get(id: string): OutboxItem | undefined {
    return this.items.get(id);
  }

  /** Queue work; resolves once it is on disk. Returns the existing item for a duplicate. */
  async add(item: Omit<OutboxItem, 'attempts' | 'state' | 'nextAttemptAt' | 'lastError'>, firstAttemptInMs = 0): Promise<{ item: OutboxItem; duplicate: boolean }> {
    for (const it of this.items.values()) {
      if (it.dedupeKey === item.dedupeKey && it.peerId === item.peerId && PENDING.has(it.state)) {
        return { item: it, duplicate: true };
      }
    }
    await this.write({ op: 'add', item });
    this.own.add(item.id);
    const stored: OutboxItem = { ...item, attempts: 0, state: 'queued', nextAttemptAt: this.clock.now() + firstAttemptInMs };
    this.items.set(item.id, stored);
    this.changed();
    return { item: stored, duplicate: false };
  }

  /** The deliverer took the item. */
  markSending(id: string): void {
    this.patch(id, { state: 'sending', nextAttemptAt: undefined });
  }

  /** An attempt failed in a way worth retrying. */
  async markRetry(id: string, error: { code: string; message: string }): Promise<void> {
    const it = this.items.get(id);
    if (!it || !PENDING.has(it.state)) return;
    if (error.code === NOT_TRIED_CODE) {
      // The peer was not online, so nothing was tried: wait with backoff, count no attempt.
      const rounds = (this.waits.get(id) ?? 0) + 1;
      this.waits.set(id, rounds);
      const wait = this.againSoon.delete(id) ? 0 : backoffDelay(Math.max(rounds, it.attempts), this.random);
      this.patch(id, { state: 'queued', lastError: error, nextAttemptAt: this.clock.now() + wait });
      return;
    }
    await this.write({ op: 'attempt', id, error });
    const attempts = it.attempts + 1;
    const wait = this.againSoon.delete(id) ? 0 : backoffDelay(attempts, this.random);
    this.patch(id, { attempts, state: 'queued', lastError: error, nextAttemptAt: this.clock.now() + wait });
  }

  async markDelivered(id: string): Promise<void> {
    const it = this.items.get(id);
    if (!it || it.state === 'delivered') return;
    this.againSoon.delete(id);
    await this.write({ op: 'delivered', id });
    this.patch(id, { state: 'delivered', attempts: it.attempts + 1, nextAttemptAt: undefined });
    await this.maybeCompact();
  }

  /** A permanent failure (denied, invalid): no more retries. */
  async markFailed(id: string, error: { code: string; message: string }): Promise<void> {
    const it = this.items.get(id);
    if (!it || !PENDING.has(it.state)) return;
    await this.write({ op: 'failed', id, error });
    this.patch(id, { state: 'failed', lastError: error, attempts: it.attempts + 1, nextAttemptAt: undefined });
  }

  async cancel(id: string): Promise<boolean> {
    const it = this.items.get(id);
    if (!it || !PENDING.has(it.state)) return false;
    await this.write({ op: 'cancel', id });
    this.patch(id, { state: 'cancelled', nextAttemptAt: undefined });
    return true;
  }

  /** Attempt now (user asked, or the peer was just seen). */
  retryNow(id: string): boolean {
    const it = this.items.get(id);
    if (it) this.own.add(id);
    if (it?.state === 'sending') {
      this.againSoon.add(id);
      return true;
    }
    if (!it || it.state !== 'queued') return false;
    this.patch(id, { nextAttemptAt: this.clock.now() });
    return true;
  }

  /** The peer came online: everything queued for it is due now. */
  peerSeen(peerId: DeviceId): void {
    const now = this.clock.now();
    let any = false;
    for (const it of this.items.values()) {
      // An attempt under way may be about to fail for want of this very peer: let it go again at once.
      if (it.peerId === peerId && it.state === 'sending') this.againSoon.add(it.id);
      if (it.peerId === peerId && it.state === 'queued' && (it.nextAttemptAt ?? Infinity) > now) {
        this.items.set(it.id, { ...it, nextAttemptAt: now });
        any = true;
      }
    }
    if (any) this.changed();
  }

  private apply(r: OutboxRecord): void {
    switch (r.op) {
      case 'add':
        this.items.set(r.item.id, { ...r.item, attempts: 0, state: 'queued' });
        return;
      case 'attempt': {
        const it = this.items.get(r.id);
        if (it) this.items.set(r.id, { ...it, attempts: it.attempts + 1, lastError: r.error });
        return;
      }
      case 'delivered':
      case 'failed':
      case 'cancel': {
        const it = this.items.get(r.id);
        if (!it) return;
        const state: OutboxState = r.op === 'cancel' ? 'cancelled' : r.op;
        this.items.set(r.id, {
          ...it,
          state,
          attempts: r.op === 'cancel' ? it.attempts : it.attempts + 1,
          lastError: r.op === 'failed' ? r.error : it.lastError,
        });
        return;
      }
    }
  }

  private async write(r: OutboxRecord): Promise<void> {
    await this.log.append(r);
    this.records++;
  }

  private patch(id: string, p: Partial<OutboxItem>): void {
    const it = this.items.get(id);
    if (!it) return;
    this.items.set(id, { ...it, ...p });
    this.changed();
  }

  private changed(): void {
    this.schedule();
    for (const fn of [...this.listeners]) fn();
  }

  private schedule(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.onDue) return;
    let next = Infinity;
    for (const it of this.items.values()) {
      if (it.state === 'queued' && it.nextAttemptAt !== undefined && this.mayDeliver(it.id)) next = Math.min(next, it.nextAttemptAt);
    }
    if (next === Infinity) return;
    this.timer = this.clock.setTimeout(() => this.fireDue(), Math.max(0, next - this.clock.now()));
  }

  private fireDue(): void {
    this.timer = undefined;
    const now = this.clock.now();
    const due = [...this.items.values()].filter((it) => it.state === 'queued' && it.nextAttemptAt !== undefined && it.nextAttemptAt <= now && this.mayDeliver(it.id));
    for (const it of due) {
      this.items.set(it.id, { ...it, state: 'sending', nextAttemptAt: undefined });
    }
    if (due.length) this.changed();
    else this.schedule();
    for (const it of due) this.onDue?.(this.items.get(it.id)!);
  }

  private mayDeliver(id: string): boolean {
    return !this.options.ownWorkOnly || this.own.has(id);
  }

  /** Rewrite the journal without the items in `ids`. */
  private async drop(ids: readonly string[]): Promise<void> {
    const gone = new Set(ids);
    await this.rewrite(this.list().filter((it) => !gone.has(it.id)));
    for (const id of gone) {
      this.items.delete(id);
      this.waits.delete(id);
    }
  }

  /** Rewrite the journal with only what is needed once it has grown well past that. */
  private async maybeCompact(): Promise<void> {
    const live = this.list();
    const finished = live.filter((it) => !PENDING.has(it.state));
    const needed = live.length - finished.length + Math.min(finished.length, KEEP_FINISHED);
    if (this.records < needed * 3 + COMPACT_SLACK) return;
    const dropped = new Set(finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED)).map((it) => it.id));
    const keep = live.filter((it) => !dropped.has(it.id));
    await this.rewrite(keep);
    for (const id of dropped) this.items.delete(id);
  }

  private async rewrite(keep: readonly OutboxItem[]): Promise<void> {
    const records: OutboxRecord[] = [];
    for (const it of keep) {
      records.push({ op: 'add', item: { id: it.id, peerId: it.peerId, kind: it.kind, dedupeKey: it.dedupeKey, payload: it.payload, createdAt: it.createdAt } });
      for (let i = 0; i < it.attempts - (PENDING.has(it.state) || it.state === 'cancelled' ? 0 : 1); i++) {
        records.push({ op: 'attempt', id: it.id, ...(it.lastError ? { error: it.lastError } : {}) });
      }
      if (it.state === 'delivered') records.push({ op: 'delivered', id: it.id });
      if (it.state === 'failed') records.push({ op: 'failed', id: it.id, error: it.lastError ?? { code: 'ERR_INTERNAL', message: 'failed' } });
      if (it.state === 'cancelled') records.push({ op: 'cancel', id: it.id });
    }
    await this.log.rewrite(records);
    this.records = records.length;
  }
}
