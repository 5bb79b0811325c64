/**
 * preferredSession must give both peers the same answer for the same pair of
 * connections, whatever order each side numbered or noticed them in.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { preferredSession, type Session } from '../../../src/core/connections/session.js';

const ALICE = 'AAAAAAA-alice' as Session['peerId'];
const BOB = 'BBBBBBB-bob' as Session['peerId'];

/** One TCP connection as each end sees it: same exporter bytes, opposite roles. */
function connection(dialler: 'alice' | 'bob'): { atAlice: Session; atBob: Session } {
  const tieBreak = randomBytes(16);
  const view = (self: 'alice' | 'bob') =>
    ({ peerId: self === 'alice' ? BOB : ALICE, initiatedBySelf: dialler === self, tieBreak }) as unknown as Session;
  return { atAlice: view('alice'), atBob: view('bob') };
}

const same = (x: Session, y: Session): boolean => x.tieBreak.equals(y.tieBreak);

describe('preferredSession', () => {
  it('keeps the connection dialled by the smaller device ID, on both ends', () => {
    const byAlice = connection('alice');
    const byBob = connection('bob');
    expect(same(preferredSession(ALICE, byAlice.atAlice, byBob.atAlice), byAlice.atAlice)).toBe(true);
    expect(same(preferredSession(BOB, byBob.atBob, byAlice.atBob), byAlice.atBob)).toBe(true);
  });

  it('agrees on one of two connections dialled by the same side, in either order on either end', () => {
    for (let i = 0; i < 200; i++) {
      const first = connection('alice');
      const second = connection('alice');
      const atAlice = [preferredSession(ALICE, first.atAlice, second.atAlice), preferredSession(ALICE, second.atAlice, first.atAlice)];
      const atBob = [preferredSession(BOB, first.atBob, second.atBob), preferredSession(BOB, second.atBob, first.atBob)];
      for (const pick of [...atAlice.slice(1), ...atBob]) expect(same(pick, atAlice[0]!)).toBe(true);
    }
  });
});
