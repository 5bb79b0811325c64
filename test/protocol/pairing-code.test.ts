import { hash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deviceIdFromBytes, type DeviceId } from '../../src/protocol/device-id.js';
import {
  checkReveal,
  formatPairingCode,
  pairingCode,
  pairingCommit,
  PAIRING_EXPORTER_BYTES,
  PAIRING_EXPORTER_LABEL,
  PAIRING_NONCE_BYTES,
  type PairingCodeInput,
} from '../../src/protocol/pairing-code.js';
import { thrownProtocolCode } from '../helpers/error-code.js';

/** Deterministic randomness (mulberry32), so the simulations below are reproducible. */
function seededRandom(seed: number): (n: number) => Buffer {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return (n) => {
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i += 4) out.writeUInt32LE(next(), i);
    return out;
  };
}

const codeOf = thrownProtocolCode;

const fixed = (byte: number, n = 32) => Buffer.alloc(n, byte);
/** Computed independently (Python hashlib) from the derivation documented in pairing-code.ts. */
const KNOWN_ANSWER = '044519';
const KNOWN_COMMIT_OF_0x33 = 'ca41a188c06232641bb4565f9628ca00a9765fa5ba226515145db64b43fa1ae3';
const GOLDEN: PairingCodeInput = {
  initiatorId: deviceIdFromBytes(fixed(0x11)),
  responderId: deviceIdFromBytes(fixed(0x22)),
  initiatorNonce: fixed(0x33),
  responderNonce: fixed(0x44),
  exporter: fixed(0x55),
};

describe('commit and reveal', () => {
  it('commits to a nonce as 64 hex digits, and only that nonce opens it', () => {
    expect(PAIRING_NONCE_BYTES).toBe(32);
    const nonce = fixed(0x33);
    const commit = pairingCommit(nonce);
    expect(commit).toMatch(/^[0-9a-f]{64}$/);
    expect(commit).toBe(KNOWN_COMMIT_OF_0x33); // domain-separated, not a bare hash
    expect(checkReveal(commit, nonce)).toBe(true);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (other) => {
        fc.pre(!Buffer.from(other).equals(nonce));
        expect(checkReveal(commit, other)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('treats malformed commitments and nonces as a failed reveal', () => {
    const nonce = fixed(1);
    const commit = pairingCommit(nonce);
    expect(checkReveal(commit.toUpperCase(), nonce)).toBe(false);
    expect(checkReveal(commit.slice(2), nonce)).toBe(false);
    expect(checkReveal(commit, fixed(1, 31))).toBe(false);
    expect(codeOf(() => pairingCommit(fixed(1, 16)))).toBe('ERR_BAD_PAIRING_INPUT');
  });
});

describe('pairingCode', () => {
  it('has a fixed known answer (both ends of every version must agree)', () => {
    expect(PAIRING_EXPORTER_LABEL).toBe('EXPORTER-peerdeck-pairing');
    expect(PAIRING_EXPORTER_BYTES).toBe(32);
    expect(pairingCode(GOLDEN)).toBe(KNOWN_ANSWER);
  });

  it('is six zero-padded digits and depends on every input and on the roles', () => {
    const base = pairingCode(GOLDEN);
    const variants: PairingCodeInput[] = [
      { ...GOLDEN, initiatorId: GOLDEN.responderId, responderId: GOLDEN.initiatorId },
      { ...GOLDEN, initiatorNonce: GOLDEN.responderNonce, responderNonce: GOLDEN.initiatorNonce },
      { ...GOLDEN, initiatorId: deviceIdFromBytes(fixed(0x12)) },
      { ...GOLDEN, responderId: deviceIdFromBytes(fixed(0x23)) },
      { ...GOLDEN, initiatorNonce: fixed(0x34) },
      { ...GOLDEN, responderNonce: fixed(0x45) },
      { ...GOLDEN, exporter: fixed(0x56) },
    ];
    for (const v of variants) expect(pairingCode(v)).not.toBe(base);

    const random = seededRandom(7);
    const codes = Array.from({ length: 2000 }, () => pairingCode({ ...GOLDEN, exporter: random(32) }));
    for (const c of codes) expect(c).toMatch(/^\d{6}$/);
    expect(codes.some((c) => c.startsWith('0'))).toBe(true);
  });

  it('refuses inputs of the wrong size', () => {
    expect(codeOf(() => pairingCode({ ...GOLDEN, initiatorNonce: fixed(0, 31) }))).toBe('ERR_BAD_PAIRING_INPUT');
    expect(codeOf(() => pairingCode({ ...GOLDEN, responderNonce: fixed(0, 33) }))).toBe('ERR_BAD_PAIRING_INPUT');
    expect(codeOf(() => pairingCode({ ...GOLDEN, exporter: fixed(0, 16) }))).toBe('ERR_BAD_PAIRING_INPUT');
    expect(codeOf(() => pairingCode({ ...GOLDEN, initiatorId: 'not-an-id' as DeviceId }))).toBe('ERR_BAD_PAIRING_INPUT');
  });

  it('formats as two groups of three', () => {
    expect(formatPairingCode('123456')).toBe('123 456');
    expect(formatPairingCode('000042')).toBe('000 042');
    expect(formatPairingCode('12345')).toBe('12345');
  });
});

/**
 * Mallory sits between Alice and Bob: session 1 is Alice (initiator) ↔ Mallory,
 * session 2 is Mallory (initiator) ↔ Bob. She chooses her certificates (device
 * IDs) and even both TLS exporters; only the honest nonces are out of her hands.
 * She wins if both users see the same code. The protocol order forces her to fix
 * one session's nonce before she learns the last unknown of the other session.
 */
describe('pairing code: man-in-the-middle simulation', () => {
  const ATTEMPTS_PER_ORDER = 50_000;

  /** One attempt; returns whether Mallory won, or 'caught' if an honest party's reveal check failed. */
  function attempt(random: (n: number) => Buffer, order: 'bob-first' | 'alice-first', ids: Record<'A' | 'B' | 'M1' | 'M2', DeviceId>): boolean | 'caught' {
    const e1 = random(32); // Mallory's pick
    const e2 = random(32); // Mallory's pick
    const nA = random(32);
    const cA = pairingCommit(nA); // Alice → Mallory: PAIR_COMMIT
    let nM1: Buffer;
    let nM2: Buffer;
    let nB: Buffer;
    if (order === 'bob-first') {
      nM2 = random(32);
      const cM2 = pairingCommit(nM2); // Mallory → Bob: PAIR_COMMIT (fixed now)
      nB = random(32); // Bob → Mallory: PAIR_NONCE
      const target = pairingCode({ initiatorId: ids.M2, responderId: ids.B, initiatorNonce: nM2, responderNonce: nB, exporter: e2 });
      // Mallory must answer Alice's commitment now, knowing the target code but not nA:
      // her best is any function of what she knows.
      nM1 = Buffer.from(hash('sha256', Buffer.concat([Buffer.from(target + cA), e1]), 'buffer'));
      // Alice → Mallory: PAIR_REVEAL; Mallory → Bob: PAIR_REVEAL (must open her commitment).
      if (!checkReveal(cA, nA) || !checkReveal(cM2, nM2)) return 'caught';
    } else {
      nM1 = random(32); // Mallory → Alice: PAIR_NONCE, before nA is revealed
      if (!checkReveal(cA, nA)) return 'caught'; // now Alice's code is fixed and known to Mallory
      nM2 = random(32); // but she must commit to Bob before Bob picks nB
      const cM2 = pairingCommit(nM2);
      nB = random(32);
      if (!checkReveal(cM2, nM2)) return 'caught';
    }
    const aliceSees = pairingCode({ initiatorId: ids.A, responderId: ids.M1, initiatorNonce: nA, responderNonce: nM1, exporter: e1 });
    const bobSees = pairingCode({ initiatorId: ids.M2, responderId: ids.B, initiatorNonce: nM2, responderNonce: nB, exporter: e2 });
    return aliceSees === bobSees;
  }

  it(`wins at most a couple of 10⁵ attempts (expected 0.1)`, () => {
    const random = seededRandom(20261121);
    const ids = { A: deviceIdFromBytes(random(32)), B: deviceIdFromBytes(random(32)), M1: deviceIdFromBytes(random(32)), M2: deviceIdFromBytes(random(32)) };
    const outcomes = { won: 0, lost: 0, caught: 0 };
    for (const order of ['bob-first', 'alice-first'] as const) {
      for (let i = 0; i < ATTEMPTS_PER_ORDER; i++) {
        const result = attempt(random, order, ids);
        outcomes[result === 'caught' ? 'caught' : result ? 'won' : 'lost'] += 1;
      }
    }
    expect(outcomes.caught).toBe(0); // she played by the protocol every time
    expect(outcomes.won + outcomes.lost).toBe(2 * ATTEMPTS_PER_ORDER);
    expect(outcomes.won).toBeLessThanOrEqual(2);
  });

  it('cannot change her nonce after seeing the other side: any other nonce fails the reveal', () => {
    const random = seededRandom(5);
    const committed = random(32);
    const commit = pairingCommit(committed);
    for (let i = 0; i < 10_000; i++) expect(checkReveal(commit, random(32))).toBe(false);
  });
});

/**
 * Why the nonces and exporter are needed: a code over the two fingerprints alone
 * (`SHA-256(sorted fingerprints) mod 10⁶`) is public input. Node accepts a client
 * certificate whose self-signature is broken (reliability.md §0.1), so Mallory can
 * change any bytes of her certificate and grind her fingerprint until Alice's code
 * with her equals the code Bob sees with her other identity.
 */
describe('pairing code: a fingerprint-only code is forgeable', () => {
  function naiveCode(scratch: Buffer, x: Buffer, y: Buffer): number {
    const [lo, hi] = Buffer.compare(x, y) <= 0 ? [x, y] : [y, x];
    lo.copy(scratch, 0);
    hi.copy(scratch, 32);
    return hash('sha256', scratch, 'buffer').readUInt32BE(0) % 1_000_000;
  }

  it('grinds a chosen target code within a bounded number of SHA-256 tries', () => {
    const random = seededRandom(1);
    const fpAlice = random(32);
    const fpBob = random(32);
    const fpMallory2 = random(32);
    const scratch = Buffer.alloc(64);
    const target = naiveCode(scratch, fpMallory2, fpBob); // what Bob will see
    const cert = random(32 + 4); // Mallory's certificate bytes; 4 of them are free
    const MAX_TRIES = 10_000_000;
    let tries = 0;
    let forged: Buffer | undefined;
    for (let i = 0; i < MAX_TRIES && !forged; i++) {
      tries += 1;
      cert.writeUInt32BE(i, 32);
      const fpMallory1 = hash('sha256', cert, 'buffer');
      if (naiveCode(scratch, fpAlice, fpMallory1) === target) forged = fpMallory1;
    }
    expect(forged).toBeDefined();
    expect(naiveCode(scratch, fpAlice, forged!)).toBe(naiveCode(scratch, fpMallory2, fpBob));
    expect(tries).toBeLessThan(MAX_TRIES);
  });
});

