import { describe, expect, it } from 'vitest';
import { ManualClock, seededRandom } from '../../../src/core/clock.js';
import { PairingFlow, PAIRING_TIMEOUT_MS, type PairingResult } from '../../../src/core/pairing/pairing-flow.js';
import { deviceIdFromBytes } from '../../../src/protocol/device-id.js';
import type { Message } from '../../../src/protocol/messages/index.js';

const idI = deviceIdFromBytes(Buffer.alloc(32, 1));
const idR = deviceIdFromBytes(Buffer.alloc(32, 2));

/** Two flows joined by an in-memory pipe; `tamper` may rewrite messages in flight. */
function pair(opts: { tamper?: (m: Message, toResponder: boolean) => Message; exporterI?: Buffer } = {}) {
  const clock = new ManualClock();
  const toR: Message[] = [];
  const toI: Message[] = [];
  const codes: Record<'i' | 'r', string | undefined> = { i: undefined, r: undefined };
  const done: Record<'i' | 'r', PairingResult | undefined> = { i: undefined, r: undefined };
  const exporter = Buffer.alloc(32, 9);
  const mk = (role: 'initiator' | 'responder', seed: number) =>
    new PairingFlow({
      role,
      selfId: role === 'initiator' ? idI : idR,
      peerId: role === 'initiator' ? idR : idI,
      selfName: role === 'initiator' ? 'ian' : 'rita',
      exporter: role === 'initiator' ? (opts.exporterI ?? exporter) : exporter,
      send: (m) => (role === 'initiator' ? toR : toI).push(opts.tamper ? opts.tamper(m, role === 'initiator') : m),
      clock,
      random: seededRandom(seed),
      onCode: (c) => (codes[role === 'initiator' ? 'i' : 'r'] = c),
      onDone: (r) => (done[role === 'initiator' ? 'i' : 'r'] = r),
    });
  const responder = mk('responder', 11);
  const initiator = mk('initiator', 22);
  const pump = () => {
    while (toR.length || toI.length) {
      const a = toR.shift();
      if (a) responder.handle(a);
      const b = toI.shift();
      if (b) initiator.handle(b);
    }
  };
  pump();
  return { clock, initiator, responder, codes, done, pump };
}

describe('PairingFlow', () => {
  it('shows both humans the same 6-digit code and pairs when both confirm', () => {
    const p = pair();
    expect(p.codes.i).toMatch(/^\d{6}$/);
    expect(p.codes.r).toBe(p.codes.i);
    expect(p.initiator.state.peerName).toBe('rita');
    expect(p.responder.state.peerName).toBe('ian');
    p.initiator.confirm(true);
    p.pump();
    expect(p.done.i).toBeUndefined();
    p.responder.confirm(true, p.codes.i);
    p.pump();
    expect(p.done.i).toMatchObject({ ok: true });
    expect(p.done.r).toMatchObject({ ok: true });
  });

  it('fails on either refusal and tells the other side', () => {
    const p = pair();
    p.initiator.confirm(true);
    p.responder.confirm(false);
    p.pump();
    expect(p.done.r).toMatchObject({ ok: false, code: 'REJECTED' });
    expect(p.done.i).toMatchObject({ ok: false, code: 'REJECTED' });
  });

  it('refuses a wrong typed code', () => {
    const p = pair();
    const wrong = String((Number(p.codes.r) + 1) % 1_000_000).padStart(6, '0');
    expect(p.responder.confirm(true, wrong)).toMatchObject({ ok: false, code: 'ERR_PAIRING_CODE_MISMATCH' });
    p.pump();
    expect(p.done.r).toMatchObject({ ok: false, code: 'CODE_MISMATCH' });
    expect(p.done.i).toMatchObject({ ok: false, code: 'CODE_MISMATCH' });
  });

  it('detects a reveal that does not match the commitment', () => {
    const p = pair({
      tamper: (m) => (m.type === 'PAIR_REVEAL' ? { ...m, nonce: 'ab'.repeat(32) } : m),
    });
    expect(p.done.r).toMatchObject({ ok: false, code: 'CODE_MISMATCH' });
    expect(p.codes.r).toBeUndefined();
  });

  it('gives different codes on different TLS connections (exporter binding)', () => {
    const p = pair({ exporterI: Buffer.alloc(32, 8) });
    expect(p.codes.i).not.toBe(p.codes.r);
  });

  it('never confirms by itself and times out', () => {
    const p = pair();
    p.clock.advance(PAIRING_TIMEOUT_MS - 1);
    expect(p.done.i).toBeUndefined();
    p.clock.advance(1);
    p.pump();
    expect(p.done.i).toMatchObject({ ok: false, code: 'TIMEOUT' });
    expect(p.done.r).toMatchObject({ ok: false });
  });

  it('aborts on a confirmation that arrives before the code', () => {
    const clock = new ManualClock();
    let result: PairingResult | undefined;
    const f = new PairingFlow({
      role: 'responder', selfId: idR, peerId: idI, selfName: 'r', exporter: Buffer.alloc(32), send: () => {},
      clock, random: seededRandom(1), onCode: () => {}, onDone: (r) => (result = r),
    });
    f.handle({ type: 'PAIR_CONFIRM' });
    expect(result).toMatchObject({ ok: false, code: 'ABORTED' });
  });
});
