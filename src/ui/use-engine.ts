/**
 * The dashboard's window on the engine: a context holding the engine handle,
 * a (throttled) snapshot store and the clock, and `useEngine(selector)` built
 * on `useSyncExternalStore`. A component re-renders only when the slice its
 * selector returns changes (by `isEqual`, default `Object.is`); selectors that
 * return references held in the snapshot get that for free.
 */
import { createContext, useCallback, useContext, useRef, useSyncExternalStore } from 'react';
import type { Clock } from '../core/clock.js';
import type { EngineHandle, EngineSnapshot } from '../core/engine-api.js';
import type { SnapshotStore } from './throttled-store.js';

export interface DashboardEnv {
  readonly engine: EngineHandle;
  readonly store: SnapshotStore;
  readonly clock: Clock;
}

export const EngineContext = createContext<DashboardEnv | null>(null);

export function useDashboardEnv(): DashboardEnv {
  const env = useContext(EngineContext);
  if (!env) throw new Error('useDashboardEnv must be used inside <EngineContext.Provider>');
  return env;
}

interface Cached<T> {
  readonly snapshot: EngineSnapshot;
  readonly selector: (s: EngineSnapshot) => T;
  readonly value: T;
}

/** Select a slice of the current snapshot; re-render only when it changes. */
export function useEngine<T>(selector: (s: EngineSnapshot) => T, isEqual: (a: T, b: T) => boolean = Object.is): T {
  const { store } = useDashboardEnv();
  const cache = useRef<Cached<T> | null>(null);
  const getSelection = useCallback((): T => {
    const snapshot = store.getSnapshot();
    const c = cache.current;
    if (c && c.snapshot === snapshot && c.selector === selector) return c.value;
    const next = selector(snapshot);
    if (c && isEqual(c.value, next)) {
      cache.current = { snapshot, selector, value: c.value };
      return c.value;
    }
    cache.current = { snapshot, selector, value: next };
    return next;
  }, [store, selector, isEqual]);
  return useSyncExternalStore(store.subscribe, getSelection, getSelection);
}

/** Stable selectors for the common slices. */
export const selectSelf = (s: EngineSnapshot) => s.self;
export const selectPeers = (s: EngineSnapshot) => s.peers;
export const selectTransfers = (s: EngineSnapshot) => s.transfers;
export const selectChats = (s: EngineSnapshot) => s.chats;
export const selectPairings = (s: EngineSnapshot) => s.pairings;
export const selectOffers = (s: EngineSnapshot) => s.offers;
export const selectNotices = (s: EngineSnapshot) => s.notices;
