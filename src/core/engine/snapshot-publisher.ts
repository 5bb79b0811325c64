/**
 * Holds the engine's current immutable snapshot and tells subscribers about
 * changes at most once per `intervalMs` (the UI renders from it; at ~10 per
 * second whatever the transfer rate). `urgent()` flushes on the next tick for
 * things a human is waiting on (a pairing code, an incoming offer).
 */
import type { Clock, TimerHandle } from '../clock.js';

export const PUBLISH_INTERVAL_MS = 100;

export class SnapshotPublisher<S> {
  private current: S;
  private readonly subscribers = new Set<() => void>();
  private timer: TimerHandle | undefined;
  private lastPublish = -Infinity;
  private dirty = false;

  constructor(
    initial: S,
    private readonly clock: Clock,
    private readonly intervalMs = PUBLISH_INTERVAL_MS,
    /** Called just before a publish, to sample hot counters into the next snapshot. */
    private readonly sample?: (s: S) => S,
  ) {
    this.current = initial;
  }

  getSnapshot = (): S => this.current;

  subscribe = (fn: () => void): (() => void) => {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  };

  /** Replace the snapshot; subscribers hear about it within `intervalMs`. */
  update(fn: (s: S) => S, urgent = false): void {
    this.current = fn(this.current);
    this.markDirty(urgent);
  }

  /** Counters changed (sampled on the next tick, not per change). */
  markDirty(urgent = false): void {
    this.dirty = true;
    if (this.timer) {
      if (!urgent) return;
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
    const wait = urgent ? 0 : Math.max(0, this.lastPublish + this.intervalMs - this.clock.now());
    this.timer = this.clock.setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.timer = undefined;
    if (!this.dirty) return;
    this.dirty = false;
    if (this.sample) this.current = this.sample(this.current);
    this.lastPublish = this.clock.now();
    for (const fn of [...this.subscribers]) fn();
  }

  dispose(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.subscribers.clear();
  }
}
