/**
 * Caps how often the dashboard hears about new engine snapshots. The engine
 * promises ≤ ~10 publishes per second, but the UI does not rely on it: a
 * faster source is coalesced here (leading and trailing edge), so React
 * commits — and so Ink renders — stay at ≤ 1000/intervalMs per second.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import type { EngineSnapshot } from '../core/engine-api.js';

export interface SnapshotStore {
  subscribe(listener: () => void): () => void;
  getSnapshot(): EngineSnapshot;
}

/** 100 ms: the engine's own publish tick; a human cannot read faster updates anyway. */
export const SNAPSHOT_INTERVAL_MS = 100;

export interface ThrottledStore extends SnapshotStore {
  /** Stop listening to the source and drop pending timers. */
  dispose(): void;
}

export function throttleStore(source: SnapshotStore, clock: Clock, intervalMs = SNAPSHOT_INTERVAL_MS): ThrottledStore {
  const listeners = new Set<() => void>();
  let current = source.getSnapshot();
  let lastEmit = -Infinity;
  let timer: TimerHandle | undefined;
  let unsubscribeSource: (() => void) | undefined;

  const emit = (): void => {
    timer = undefined;
    lastEmit = clock.now();
    const next = source.getSnapshot();
    if (next === current) return;
    current = next;
    for (const l of [...listeners]) l();
  };

  const onSourceChange = (): void => {
    if (timer) return;
    const wait = lastEmit + intervalMs - clock.now();
    if (wait <= 0) emit();
    else timer = clock.setTimeout(emit, wait);
  };

  return {
    subscribe(listener) {
      listeners.add(listener);
      if (!unsubscribeSource) {
        unsubscribeSource = source.subscribe(onSourceChange);
        // Anything published between construction and now.
        if (source.getSnapshot() !== current) onSourceChange();
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && unsubscribeSource) {
          unsubscribeSource();
          unsubscribeSource = undefined;
          clock.clearTimeout(timer);
          timer = undefined;
        }
      };
    },
    getSnapshot: () => current,
    dispose() {
      listeners.clear();
      unsubscribeSource?.();
      unsubscribeSource = undefined;
      clock.clearTimeout(timer);
      timer = undefined;
    },
  };
}
