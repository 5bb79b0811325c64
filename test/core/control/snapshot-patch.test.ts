import { describe, expect, it } from 'vitest';
import type { ChatMessageView, EngineSnapshot, TransferView } from '../../../src/core/engine-api.js';
import { EMPTY_SNAPSHOT, applySnapshotPatch, diffSnapshot } from '../../../src/core/control/snapshot-patch.js';

const peer = 'A'.repeat(52) as EngineSnapshot['self']['deviceId'];
const msg = (i: number): ChatMessageView => ({ id: `m${i}`, peerId: peer, direction: 'in', text: `message ${i}`, at: i, state: 'received' });
const transfer = (bytesDone: number): TransferView => ({
  id: 't1', direction: 'send', peerId: peer, peerName: 'bob', label: 'big.iso', fileCount: 1,
  bytesDone, bytesTotal: 100, rate: 10, state: 'active', attempts: 1,
});

function base(): EngineSnapshot {
  return {
    ...EMPTY_SNAPSHOT,
    self: { deviceId: peer, shortId: 'AAAAAAA', name: 'me' },
    chats: { [peer]: Array.from({ length: 10_000 }, (_, i) => msg(i)) },
    transfers: [transfer(0)],
  };
}

/** Send through JSON, as the control socket does. */
const wire = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe('snapshot patches', () => {
  it('round-trips a whole snapshot from empty', () => {
    const s = base();
    const got = applySnapshotPatch(EMPTY_SNAPSHOT, wire(diffSnapshot(EMPTY_SNAPSHOT, s)!));
    expect(got).toEqual(s);
  });

  it('a progress tick sends the transfer only; every other slice keeps its reference', () => {
    const s0 = base();
    const remote0 = applySnapshotPatch(EMPTY_SNAPSHOT, wire(diffSnapshot(EMPTY_SNAPSHOT, s0)!));
    // The engine rebuilds every object on each snapshot: equal values, new references.
    const s1 = { ...wire(s0), transfers: [transfer(50)] };
    const patch = diffSnapshot(s0, s1)!;
    expect(Object.keys(patch)).toEqual(['transfers']);
    expect(JSON.stringify(patch).length).toBeLessThan(400);
    const remote1 = applySnapshotPatch(remote0, wire(patch));
    expect(remote1.chats).toBe(remote0.chats);
    expect(remote1.self).toBe(remote0.self);
    expect(remote1.peers).toBe(remote0.peers);
    expect(remote1.transfers[0]!.bytesDone).toBe(50);
  });

  it('one new chat message in a 10 000-message history travels alone; old messages keep their references', () => {
    const s0 = base();
    const remote0 = applySnapshotPatch(EMPTY_SNAPSHOT, wire(diffSnapshot(EMPTY_SNAPSHOT, s0)!));
    const s1 = { ...s0, chats: { [peer]: [...s0.chats[peer]!, msg(10_000)] } };
    const patch = diffSnapshot(s0, s1)!;
    expect(JSON.stringify(patch).length).toBeLessThan(300);
    const remote1 = applySnapshotPatch(remote0, wire(patch));
    expect(remote1.chats[peer]).toHaveLength(10_001);
    expect(remote1.chats[peer]![9_999]).toBe(remote0.chats[peer]![9_999]);
    expect(remote1.chats[peer]![10_000]).toEqual(msg(10_000));
    expect(remote1.transfers).toBe(remote0.transfers);
  });

  it('a state change in the middle, a removal and a reorder all land', () => {
    const s0 = base();
    const remote0 = applySnapshotPatch(EMPTY_SNAPSHOT, wire(diffSnapshot(EMPTY_SNAPSHOT, s0)!));
    const chat = [...s0.chats[peer]!];
    chat[5] = { ...chat[5]!, state: 'delivered' };
    chat.splice(7, 1);
    const s1: EngineSnapshot = { ...s0, chats: { [peer]: chat }, transfers: [], offers: [] };
    const remote1 = applySnapshotPatch(remote0, wire(diffSnapshot(s0, s1)!));
    expect(remote1).toEqual(s1);
    const s2: EngineSnapshot = { ...s1, chats: {} };
    expect(applySnapshotPatch(remote1, wire(diffSnapshot(s1, s2)!)).chats).toEqual({});
  });

  it('no change, no patch', () => {
    const s0 = base();
    expect(diffSnapshot(s0, wire(s0))).toBeUndefined();
  });

  it('a reuse range outside the previous list is refused', () => {
    expect(() => applySnapshotPatch(EMPTY_SNAPSHOT, { peers: [[0, 3]] })).toThrow(RangeError);
  });
});
