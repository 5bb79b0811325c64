import type { Engine } from '../../src/core/engine/engine.js';
import type { EngineEventMap } from '../../src/core/engine/events.js';

/** The next event of `type` (matching `pred`) from an engine, or a rejection after `ms`. */
export function nextEvent<K extends keyof EngineEventMap>(e: Engine, type: K, pred: (p: EngineEventMap[K]) => boolean = () => true, ms = 10_000) {
  return new Promise<EngineEventMap[K]>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out waiting for ${String(type)}`)), ms);
    const off = e.events.on(type, (p) => {
      if (!pred(p)) return;
      clearTimeout(t);
      off();
      resolve(p);
    });
  });
}
