/** The idle watch and per-peer caps of incoming-limits.ts, on a manual clock with stand-in transfers. */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { MAX_IDLE_ACCEPTED_PER_PEER, MAX_PEER_MANIFEST_BYTES } from '../../../src/core/transfer/constants.js';
import type { IncomingTransfer } from '../../../src/core/transfer/incoming.js';
import { finishedToDrop, IdleWatch, peerOverLimits } from '../../../src/core/transfer/incoming-limits.js';
import type { DeviceId } from '../../../src/protocol/device-id.js';

const A = 'A' as DeviceId;
const B = 'B' as DeviceId;

function fake(peerId: DeviceId, over: Partial<Record<string, unknown>> = {}): IncomingTransfer {
  return { peerId, isAccepted: true, terminal: false, state: 'active', hasBulk: false, manifestBytes: 1000, bytesDone: 0, bytesOnWire: 0, ...over } as unknown as IncomingTransfer;
}

describe('IdleWatch', () => {
  it('ends a transfer with no progress while its peer is online, and never counts offline time', () => {
    const clock = new ManualClock();
    const online = new Set<DeviceId>([A]);
    const t = fake(A);
    const u = fake(B);
    const idle: IncomingTransfer[] = [];
    const w = new IdleWatch(clock, 60_000, () => [t, u], (p) => online.has(p), (x) => {
      idle.push(x);
      (x as unknown as { terminal: boolean }).terminal = true; // as expireIdle does
    });
    w.poke();
    clock.advance(59_000);
    (t as unknown as { bytesDone: number }).bytesDone = 10; // progress resets the count
    clock.advance(59_000);
    expect(idle).toEqual([]);
    clock.advance(10_000);
    expect(idle).toEqual([t]); // B is offline all along: u waits
    online.add(B);
    clock.advance(55_000);
    expect(idle).toEqual([t]);
    clock.advance(10_000);
    expect(idle).toEqual([t, u]);
  });
});

describe('peerOverLimits', () => {
  it('refuses past the idle-accepted count and the manifest bytes, per peer', () => {
    const idle = Array.from({ length: MAX_IDLE_ACCEPTED_PER_PEER }, () => fake(A));
    expect(peerOverLimits(A, idle, 10, false)).toMatch(/waiting for their data/);
    expect(peerOverLimits(B, idle, 10, false)).toBeUndefined();
    // Not yet accepted: idle only when the peer's offers are accepted without asking.
    const unanswered = idle.map((t) => ({ ...t, isAccepted: false }) as unknown as IncomingTransfer);
    expect(peerOverLimits(A, unanswered, 10, false)).toBeUndefined();
    expect(peerOverLimits(A, unanswered, 10, true)).toMatch(/waiting for their data/);
    const moving = idle.map((t) => ({ ...t, hasBulk: true }) as unknown as IncomingTransfer);
    expect(peerOverLimits(A, moving, 10, false)).toBeUndefined();
    expect(peerOverLimits(A, [fake(A, { manifestBytes: MAX_PEER_MANIFEST_BYTES - 5, hasBulk: true })], 10, false)).toMatch(/cap/);
    expect(peerOverLimits(A, [fake(A, { manifestBytes: MAX_PEER_MANIFEST_BYTES - 5, terminal: true })], 10, false)).toBeUndefined();
  });

  it('finishedToDrop keeps the newest within the view count and the manifest weight', () => {
    const list = [5, 5, 5, 5].map((manifestBytes) => ({ manifestBytes }));
    expect(finishedToDrop(list, 50, 100)).toBe(0);
    expect(finishedToDrop(list, 3, 100)).toBe(1);
    expect(finishedToDrop(list, 50, 12)).toBe(2);
  });
});
