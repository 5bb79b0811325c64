import { randomBytes } from 'node:crypto';

/**
 * Time and randomness, injected into everything that has a timer so tests can
 * advance a manual clock instead of sleeping.
 */
export type TimerHandle = { readonly id: number };

export interface Clock {
  /** Milliseconds, monotonic (never jumps with the wall clock). */
  now(): number;
  /** Wall-clock milliseconds since the epoch, for display and journals only. */
  wallNow(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
  setInterval(fn: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle | undefined): void;
}

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  bytes(n: number): Buffer;
}

type NodeTimer = ReturnType<typeof globalThis.setTimeout>;

class SystemClock implements Clock {
  private seq = 0;
  private readonly timers = new Map<number, NodeTimer>();
  now(): number {
    return performance.now();
  }
  wallNow(): number {
    return Date.now();
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = ++this.seq;
    const t = globalThis.setTimeout(() => {
      this.timers.delete(id);
      fn();
    }, ms);
    t.unref?.();
    this.timers.set(id, t);
    return { id };
  }
  clearTimeout(handle: TimerHandle | undefined): void {
    if (!handle) return;
    const t = this.timers.get(handle.id);
    if (t) globalThis.clearTimeout(t);
    this.timers.delete(handle.id);
  }
  setInterval(fn: () => void, ms: number): TimerHandle {
    const id = ++this.seq;
    const t = globalThis.setInterval(fn, ms);
    t.unref?.();
    this.timers.set(id, t);
    return { id };
  }
  clearInterval(handle: TimerHandle | undefined): void {
    if (!handle) return;
    const t = this.timers.get(handle.id);
    if (t) globalThis.clearInterval(t);
    this.timers.delete(handle.id);
  }
}

/** Real time. Timers are unref'd: open sockets, not timers, keep a process alive. */
export const systemClock: Clock = new SystemClock();

export const systemRandom: Random = {
  next: () => randomBytes(4).readUInt32BE(0) / 2 ** 32,
  bytes: (n) => randomBytes(n),
};

/**
 * A clock for tests: time moves only when `advance` is called; due timers fire
 * in order of their due time.
 */
export class ManualClock implements Clock {
  private t = 0;
  private wall = 1_700_000_000_000;
  private seq = 0;
  private readonly pending = new Map<number, { due: number; fn: () => void; every?: number }>();

  now(): number {
    return this.t;
  }
  wallNow(): number {
    return this.wall + this.t;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = ++this.seq;
    this.pending.set(id, { due: this.t + Math.max(0, ms), fn });
    return { id };
  }
  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle) this.pending.delete(handle.id);
  }
  setInterval(fn: () => void, ms: number): TimerHandle {
    const id = ++this.seq;
    const every = Math.max(1, ms);
    this.pending.set(id, { due: this.t + every, fn, every });
    return { id };
  }
  clearInterval(handle: TimerHandle | undefined): void {
    this.clearTimeout(handle);
  }
  /** Move time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let nextId = -1;
      let nextDue = Infinity;
      for (const [id, p] of this.pending) {
        if (p.due <= end && p.due < nextDue) {
          nextDue = p.due;
          nextId = id;
        }
      }
      if (nextId < 0) break;
      const p = this.pending.get(nextId)!;
      this.t = p.due;
      if (p.every) p.due += p.every;
      else this.pending.delete(nextId);
      p.fn();
    }
    this.t = end;
  }
  /** Number of timers still scheduled. */
  get pendingCount(): number {
    return this.pending.size;
  }
}

/** Deterministic randomness for tests (xorshift32). */
export function seededRandom(seed: number): Random {
  let s = seed >>> 0 || 1;
  const step = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  return {
    next: () => step() / 2 ** 32,
    bytes: (n) => {
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = step() & 0xff;
      return b;
    },
  };
}
