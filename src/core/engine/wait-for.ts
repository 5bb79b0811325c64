/** Wait for a condition that can only change when one of `sources` fires, with a timeout on the injected clock. */
import type { Clock } from '../clock.js';

/** Something to be told about changes: subscribing returns the unsubscribe function. */
export type ChangeSource = (fn: () => void) => () => void;

/** Resolves true once `pred` holds (checked whenever a source fires), false after `ms`. */
export function waitUntil(pred: () => boolean, ms: number, clock: Clock, sources: readonly ChangeSource[]): Promise<boolean> {
  if (pred()) return Promise.resolve(true);
  return new Promise((resolve) => {
    let done = false;
    const finish = (v: boolean) => {
      if (done) return;
      done = true;
      unsubs.forEach((u) => u());
      clock.clearTimeout(timer);
      resolve(v);
    };
    const check = () => pred() && finish(true);
    const unsubs = sources.map((source) => source(check));
    const timer = clock.setTimeout(() => finish(pred()), ms);
  });
}
