/**
 * Engine snapshots over the control socket, as patches: only the slices that
 * changed since the last push travel, and inside a changed list only the items
 * that changed. The receiving side rebuilds an immutable snapshot that keeps
 * every unchanged slice and item by reference, so the dashboard's selectors
 * (Object.is on slices, rows keyed by item) skip what did not change, exactly
 * as they do against an in-process engine.
 *
 * A list patch is an array of segments, in the new list's order:
 *   [start, count]   reuse `count` items of the previous list from `start`
 *   { ...item }      a new or changed item, in full
 * Items are objects and reuse ranges are arrays, so the two never mix up.
 * A chat history that grew by one message is sent as `[[0, n], {message}]`,
 * never as the whole history.
 */
import type { EngineSnapshot } from '../engine-api.js';

export type ListSegment = readonly [number, number] | Readonly<Record<string, unknown>>;
export type ListPatch = readonly ListSegment[];

export interface SnapshotPatch {
  self?: EngineSnapshot['self'];
  peers?: ListPatch;
  transfers?: ListPatch;
  /** Per peer: its history's patch, or null when the peer's history is gone. */
  chats?: Readonly<Record<string, ListPatch | null>>;
  pairings?: ListPatch;
  offers?: ListPatch;
  notices?: ListPatch;
}

export const EMPTY_SNAPSHOT: EngineSnapshot = {
  self: { deviceId: '' as EngineSnapshot['self']['deviceId'], shortId: '', name: '' },
  peers: [],
  transfers: [],
  chats: {},
  pairings: [],
  offers: [],
  notices: [],
};

/** Structural equality for the plain JSON values a snapshot holds. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => sameValue(v, bb[i]));
  }
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

type KeyOf<T> = (item: T) => string;

/** The patch from `prev` to `next`, or undefined when they hold the same items in the same order. */
export function diffList<T extends object>(prev: readonly T[], next: readonly T[], keyOf: KeyOf<T>): ListPatch | undefined {
  if (prev === next) return undefined;
  const at = new Map<string, number>();
  prev.forEach((item, i) => at.set(keyOf(item), i));
  const out: ListSegment[] = [];
  let unchanged = prev.length === next.length;
  next.forEach((item, i) => {
    const j = at.get(keyOf(item));
    const old = j === undefined ? undefined : prev[j];
    if (j !== undefined && old !== undefined && (old === item || sameValue(old, item))) {
      if (j !== i) unchanged = false;
      const last = out[out.length - 1];
      if (Array.isArray(last) && last[0] + last[1] === j) out[out.length - 1] = [last[0], last[1] + 1];
      else out.push([j, 1]);
    } else {
      unchanged = false;
      out.push(item as Readonly<Record<string, unknown>>);
    }
  });
  return unchanged ? undefined : out;
}

/**
 * Rebuild a list from the previous one and a patch. `adopt` turns a received
 * item into the local one (e.g. to move engine clock times onto ours).
 * Throws on a reuse range outside the previous list (a stream out of step).
 */
export function applyList<T>(prev: readonly T[], patch: ListPatch, adopt: (item: T) => T = (x) => x): readonly T[] {
  const out: T[] = [];
  for (const seg of patch) {
    if (Array.isArray(seg)) {
      const [start, count] = seg as readonly [number, number];
      if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > prev.length) {
        throw new RangeError(`snapshot patch reuses items ${start}..${start + count} of ${prev.length}`);
      }
      for (let i = start; i < start + count; i++) out.push(prev[i] as T);
    } else {
      out.push(adopt(seg as T));
    }
  }
  return out;
}

const byId = (x: { id: string | number }) => String(x.id);
const byDevice = (x: { deviceId: string }) => x.deviceId;

/** What changed from `prev` to `next`; undefined when nothing did. */
export function diffSnapshot(prev: EngineSnapshot, next: EngineSnapshot): SnapshotPatch | undefined {
  const patch: SnapshotPatch = {};
  let any = false;
  const put = <K extends keyof SnapshotPatch>(k: K, v: SnapshotPatch[K] | undefined) => {
    if (v === undefined) return;
    patch[k] = v;
    any = true;
  };
  if (prev.self !== next.self && !sameValue(prev.self, next.self)) put('self', next.self);
  put('peers', diffList(prev.peers, next.peers, byDevice));
  put('transfers', diffList(prev.transfers, next.transfers, byId));
  put('pairings', diffList(prev.pairings, next.pairings, byId));
  put('offers', diffList(prev.offers, next.offers, byId));
  put('notices', diffList(prev.notices, next.notices, byId));
  if (prev.chats !== next.chats) {
    const chats: Record<string, ListPatch | null> = {};
    let changed = false;
    for (const [peer, messages] of Object.entries(next.chats)) {
      const d = diffList(prev.chats[peer] ?? [], messages, byId);
      if (d !== undefined || !(peer in prev.chats)) {
        chats[peer] = d ?? [];
        changed = true;
      }
    }
    for (const peer of Object.keys(prev.chats)) {
      if (!(peer in next.chats)) {
        chats[peer] = null;
        changed = true;
      }
    }
    if (changed) put('chats', chats);
  }
  return any ? patch : undefined;
}

export interface Adopt {
  transfer?: (t: EngineSnapshot['transfers'][number]) => EngineSnapshot['transfers'][number];
  notice?: (n: EngineSnapshot['notices'][number]) => EngineSnapshot['notices'][number];
}

/** The snapshot after `patch`; every slice the patch does not name is `prev`'s, by reference. */
export function applySnapshotPatch(prev: EngineSnapshot, patch: SnapshotPatch, adopt: Adopt = {}): EngineSnapshot {
  let chats = prev.chats;
  if (patch.chats) {
    const next: Record<string, EngineSnapshot['chats'][string]> = { ...prev.chats };
    for (const [peer, p] of Object.entries(patch.chats)) {
      if (p === null) delete next[peer];
      else next[peer] = applyList(prev.chats[peer] ?? [], p);
    }
    chats = next;
  }
  return {
    self: patch.self ?? prev.self,
    peers: patch.peers ? applyList(prev.peers, patch.peers) : prev.peers,
    transfers: patch.transfers ? applyList(prev.transfers, patch.transfers, adopt.transfer) : prev.transfers,
    chats,
    pairings: patch.pairings ? applyList(prev.pairings, patch.pairings) : prev.pairings,
    offers: patch.offers ? applyList(prev.offers, patch.offers) : prev.offers,
    notices: patch.notices ? applyList(prev.notices, patch.notices, adopt.notice) : prev.notices,
  };
}
