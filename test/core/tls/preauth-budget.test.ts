/** The pre-auth budget's bookkeeping: per-source share, early drop, reserved share, release. */
import { describe, expect, it } from 'vitest';
import { type Random } from '../../../src/core/clock.js';
import { DEFAULT_PREAUTH_LIMITS, PreauthBudget, sourceKey, type Admission } from '../../../src/core/tls/preauth-budget.js';

const fixed = (v: number): Random => ({ next: () => v, bytes: (n) => Buffer.alloc(n) });
const L = { ...DEFAULT_PREAUTH_LIMITS, maxPending: 10, dropStart: 4, dropRate: 0.3, perSource: 3, reserved: 2 };
const ok = (a: Admission) => (a.ok ? a : undefined);

describe('PreauthBudget', () => {
  it('one address holds at most its share; the slot comes back on release (once)', () => {
    const b = new PreauthBudget(L, fixed(0.99));
    const slots = [b.admit('10.0.0.1'), b.admit('10.0.0.1'), b.admit('::ffff:10.0.0.1')];
    expect(slots.every((s) => s.ok)).toBe(true);
    expect(b.admit('10.0.0.1')).toEqual({ ok: false, reason: 'source-share' });
    expect(b.admit('10.0.0.2').ok).toBe(true);
    ok(slots[0]!)!.release();
    ok(slots[0]!)!.release();
    expect(b.pending).toBe(3);
    expect(b.admit('10.0.0.1').ok).toBe(true);
    expect(sourceKey('::ffff:127.0.0.5')).toBe('127.0.0.5');
  });

  it('below dropStart nobody is dropped; above it the drop probability rises to 1 at maxPending', () => {
    // random 0.5: dropped once p = 0.3 + 0.7·(n−4)/6 > 0.5, i.e. from n = 6 pending on.
    const b = new PreauthBudget(L, fixed(0.5));
    const got = Array.from({ length: 10 }, (_, i) => b.admit(`10.0.1.${i}`));
    expect(got.map((a) => (a.ok ? 'ok' : a.reason))).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'early-drop', 'early-drop', 'early-drop', 'early-drop']);
    const lucky = new PreauthBudget(L, fixed(0.999)); // drop only when p > 0.999
    for (let i = 0; i < 10; i++) expect(lucky.admit(`10.0.2.${i}`).ok).toBe(true);
    expect(lucky.admit('10.0.2.99')).toEqual({ ok: false, reason: 'too-many-pending' });
  });

  it('an address with a pinned handshake on record gets the reserved share, without early drop', () => {
    const b = new PreauthBudget(L, fixed(0.999));
    b.markKnown('127.0.0.1');
    for (let i = 0; i < 10; i++) expect(b.admit(`10.0.3.${i}`).ok).toBe(true);
    expect(b.admit('10.0.3.200').ok).toBe(false);
    const k1 = b.admit('127.0.0.1');
    const k2 = b.admit('127.0.0.1');
    expect([k1.ok && k1.known, k2.ok && k2.known]).toEqual([true, true]);
    expect(b.admit('127.0.0.1')).toEqual({ ok: false, reason: 'too-many-pending' });
    // In early-drop territory with a random that always says "drop": a known address still gets in.
    const drops = new PreauthBudget(L, fixed(0.999));
    drops.markKnown('127.0.0.1');
    for (let i = 0; i < 9; i++) drops.admit(`10.0.4.${i}`);
    const always = new PreauthBudget(L, fixed(0));
    always.markKnown('127.0.0.1');
    for (let i = 0; i < 4; i++) always.admit(`10.0.5.${i}`);
    expect(always.admit('10.0.5.9')).toEqual({ ok: false, reason: 'early-drop' });
    expect(always.admit('127.0.0.1').ok).toBe(true);
    expect(drops.admit('127.0.0.1').ok).toBe(true);
  });

  it('remembers a bounded number of known addresses (least recently confirmed forgotten)', () => {
    const b = new PreauthBudget({ ...L, maxKnownAddresses: 2 }, fixed(0));
    b.markKnown('a');
    b.markKnown('b');
    b.markKnown('a');
    b.markKnown('c');
    expect([b.isKnown('a'), b.isKnown('b'), b.isKnown('c')]).toEqual([true, false, true]);
  });
});
