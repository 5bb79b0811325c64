import { describe, expect, it } from 'vitest';
import { MAX_ADDRESSES, PeerTable, type PeerSighting } from '../../../src/core/discovery/peer-table.js';
import { deviceIdFromBytes, type DeviceId } from '../../../src/protocol/device-id.js';

const id = (n: number): DeviceId => deviceIdFromBytes(Buffer.alloc(32, n));
const sighting = (n: number, address = '10.0.0.' + n): PeerSighting => ({
  deviceId: id(n),
  name: `peer ${n}`,
  address,
  port: 4000 + n,
  version: { major: 1, minor: 0 },
});
const table = (maxPeers = 10) => new PeerTable({ staleAfterMs: 15_000, forgetAfterMs: 600_000, maxPeers });

describe('PeerTable', () => {
  it('reports the first sighting, then updates', () => {
    const t = table();
    const a = t.seen(sighting(1), 0);
    expect(a).toMatchObject({ firstTime: true, wasStale: false });
    expect(a.peer).toMatchObject({ firstSeen: 0, lastSeen: 0, stale: false, addresses: ['10.0.0.1'] });
    const b = t.seen({ ...sighting(1), name: 'renamed', port: 9 }, 1_000);
    expect(b.firstTime).toBe(false);
    expect(b.peer).toMatchObject({ name: 'renamed', port: 9, firstSeen: 0, lastSeen: 1_000 });
    expect(t.size).toBe(1);
  });

  it('marks a silent peer stale once, and revives it when heard again', () => {
    const t = table();
    t.seen(sighting(1), 0);
    t.seen(sighting(2), 10_000);
    expect(t.sweep(14_999).stale).toEqual([]);
    const s1 = t.sweep(15_000);
    expect(s1.stale.map((p) => p.deviceId)).toEqual([id(1)]);
    expect(t.get(id(1))?.stale).toBe(true);
    expect(t.sweep(16_000).stale).toEqual([]); // reported once
    expect(t.sweep(25_000).stale.map((p) => p.deviceId)).toEqual([id(2)]);
    const back = t.seen(sighting(1), 26_000);
    expect(back).toMatchObject({ firstTime: false, wasStale: true });
    expect(back.peer.stale).toBe(false);
  });

  it('forgets a peer silent past forgetAfterMs', () => {
    const t = table();
    t.seen(sighting(1), 0);
    t.seen(sighting(2), 500_000);
    const r = t.sweep(600_000);
    expect(r.forgotten.map((p) => p.deviceId)).toEqual([id(1)]);
    expect(t.get(id(1))).toBeUndefined();
    expect(t.seen(sighting(1), 600_001).firstTime).toBe(true);
  });

  it('remove() returns the peer once', () => {
    const t = table();
    t.seen(sighting(1), 0);
    expect(t.remove(id(1))?.deviceId).toBe(id(1));
    expect(t.remove(id(1))).toBeUndefined();
  });

  it('evicts the least recently heard peer when full', () => {
    const t = table(3);
    t.seen(sighting(1), 0);
    t.seen(sighting(2), 1);
    t.seen(sighting(3), 2);
    t.seen(sighting(1), 3); // 1 is now the most recent; 2 is the oldest
    const r = t.seen(sighting(4), 4);
    expect(r.evicted?.deviceId).toBe(id(2));
    expect(t.list().map((p) => p.deviceId)).toEqual([id(4), id(1), id(3)]);
    expect(t.seen(sighting(4), 5).evicted).toBeUndefined(); // known peers never evict
  });

  it('keeps the distinct source addresses of a device ID, most recent first, capped', () => {
    const t = table();
    for (const [i, a] of ['10.0.0.1', '10.0.0.66', '10.0.0.1', '10.0.0.7', '10.0.0.8', '10.0.0.9'].entries()) {
      t.seen(sighting(1, a), i);
    }
    expect(MAX_ADDRESSES).toBe(4);
    expect(t.get(id(1))?.addresses).toEqual(['10.0.0.9', '10.0.0.8', '10.0.0.7', '10.0.0.1']);
    expect(t.get(id(1))?.address).toBe('10.0.0.9');
  });

  it('list() returns snapshots that later updates do not change', () => {
    const t = table();
    t.seen(sighting(1), 0);
    const before = t.list();
    t.seen({ ...sighting(1), name: 'new' }, 1);
    expect(before[0]?.name).toBe('peer 1');
  });
});
