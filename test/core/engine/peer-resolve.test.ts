import { describe, expect, it } from 'vitest';
import { deviceIdFromBytes } from '../../../src/protocol/device-id.js';
import { resolvePeer, type PeerCandidate } from '../../../src/core/engine/peer-resolve.js';
import { thrownCode } from '../../helpers/error-code.js';

const idA = deviceIdFromBytes(Buffer.alloc(32, 1));
const idB = deviceIdFromBytes(Buffer.alloc(32, 2));
// Same first group as A: built by copying A's bytes and changing the tail.
const idA2 = deviceIdFromBytes(Buffer.concat([Buffer.alloc(16, 1), Buffer.alloc(16, 9)]));

const cands: PeerCandidate[] = [
  { deviceId: idA, name: 'alice', pinned: true },
  { deviceId: idB, name: 'bob', pinned: true },
  { deviceId: idA2, name: 'mallory', pinned: false },
];

const codeOf = thrownCode;

describe('resolvePeer', () => {
  it('finds a pinned peer by its exact local name', () => {
    expect(resolvePeer('alice', cands)).toEqual({ kind: 'peer', deviceId: idA });
  });

  it('never selects a peer by a name it announced (unpinned)', () => {
    expect(codeOf(() => resolvePeer('mallory', cands, { allowUnpinned: true }))).toBe('ERR_PEER_UNKNOWN');
  });

  it('finds a peer by a device-ID prefix of at least 7 characters', () => {
    expect(resolvePeer(idB.slice(0, 7), cands)).toEqual({ kind: 'peer', deviceId: idB });
    expect(resolvePeer(idB.slice(0, 7).toLowerCase(), cands)).toEqual({ kind: 'peer', deviceId: idB });
    expect(codeOf(() => resolvePeer(idB.slice(0, 6), cands))).toBe('ERR_PEER_UNKNOWN');
  });

  it('reports an ambiguous prefix with the candidates', () => {
    expect(idA.slice(0, 7)).toBe(idA2.slice(0, 7));
    expect(resolvePeer(idA.slice(0, 7), cands)).toEqual({ kind: 'peer', deviceId: idA });
    expect(codeOf(() => resolvePeer(idA.slice(0, 7), cands, { allowUnpinned: true }))).toBe('ERR_PEER_AMBIGUOUS');
  });

  it('accepts host:port only where allowed', () => {
    expect(resolvePeer('127.0.0.1:51515', cands, { allowAddress: true })).toEqual({ kind: 'address', host: '127.0.0.1', port: 51515 });
    expect(codeOf(() => resolvePeer('127.0.0.1:51515', cands))).toBe('ERR_PEER_UNKNOWN');
  });
});
