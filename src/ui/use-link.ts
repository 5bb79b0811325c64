/**
 * The link to an engine in another process (attached dashboards): 'attached',
 * 'lost' or 'starting'. An in-process engine is always 'attached'. Read
 * straight from the engine handle, not the throttled snapshot store: a lost
 * link leaves the snapshot as it was.
 */
import { useCallback, useSyncExternalStore } from 'react';
import type { EngineHandle, LinkState } from '../core/engine-api.js';

export function useLink(engine: EngineHandle): LinkState {
  const get = useCallback((): LinkState => engine.linkState?.() ?? 'attached', [engine]);
  const subscribe = useCallback((fn: () => void) => engine.subscribe(fn), [engine]);
  return useSyncExternalStore(subscribe, get, get);
}
