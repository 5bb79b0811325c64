/**
 * Reliability T1–T5: text a peer chose (name, chat, file names, addresses,
 * error text, notices) never reaches the frame raw.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makeMessage, makeOffer, makePairing, makePeer, makeTransfer, sampleSnapshot } from '../helpers/fake-engine.js';
import { type RenderedUi, renderUi } from '../helpers/render-ui.js';
import { displayWidth } from '../../src/ui/text.js';

let ui: RenderedUi | undefined;
afterEach(() => ui?.unmount());

/** One of each attack: clear screen, cursor up + CR (croc#595), OSC title, OSC 8 link, OSC 52 clipboard, DCS, 8-bit CSI, bidi, zero-width, BEL, DEL. */
const EVIL =
  'ev\x1b[2Jil\x1b[1A\r\x1b]0;pwned\x07\x1b]8;;http://x\x1b\\link\x1b]52;c;ZXZpbA==\x07\x1bPq#0\x1b\\\x9b31mred\u202eexe.txt\u200b\u2066x\u2069\x07\x7fend';

/** Anything in a frame that a terminal would act on (SGR colour is the only escape Ink may emit). */
const DANGEROUS = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/u;

function assertInert(frame: string): void {
  const withoutSgr = frame.replace(/\x1b\[[0-9;]*m/g, '');
  const m = DANGEROUS.exec(withoutSgr);
  expect(m, m ? `raw U+${m[0].codePointAt(0)!.toString(16)} at ${m.index}: ${JSON.stringify(withoutSgr.slice(Math.max(0, m.index - 20), m.index + 20))}` : '').toBeNull();
}

describe('peer-supplied text is neutralised on screen', () => {
  it('in peer names, chat, transfer labels, errors, notices and the header', async () => {
    const s = sampleSnapshot();
    const evilPeer = makePeer(EVIL, { state: 'offline', lastSeen: 0 });
    ui = await renderUi({
      columns: 120,
      rows: 40,
      snapshot: {
        ...s,
        self: { ...s.self, name: EVIL, listenAddress: EVIL, relay: EVIL },
        peers: [evilPeer, ...s.peers],
        transfers: [
          makeTransfer('t1', evilPeer, { label: EVIL, state: 'failed', error: { code: EVIL, message: EVIL } }),
          makeTransfer('t2', evilPeer, { label: EVIL, state: 'retrying', attempts: 2, error: { code: 'E', message: EVIL } }),
        ],
        chats: { [evilPeer.deviceId]: [makeMessage('m', evilPeer, `${EVIL}\n${EVIL}`)] },
        notices: [{ id: 1, level: 'error', text: EVIL, at: 0 }],
      },
    });
    assertInert(ui.lastFrame());
    // Shown inertly, not silently dropped.
    expect(ui.lastFrame()).toContain('␛[2J');
    // The short fingerprint is always beside the name (T3).
    expect(ui.lastFrame()).toContain(evilPeer.shortId);
    for (const l of ui.lines()) expect(displayWidth(l)).toBeLessThanOrEqual(120);
    for (const f of ui.stdout.frames) assertInert(f);
  });

  it('in dialogs: pairing name and address, offer file names', async () => {
    const s = sampleSnapshot();
    const evilPeer = makePeer(EVIL);
    ui = await renderUi({
      columns: 80,
      rows: 24,
      snapshot: {
        ...s,
        peers: [evilPeer],
        pairings: [makePairing('p', evilPeer, { peerName: EVIL, address: EVIL })],
        offers: [makeOffer('o', evilPeer, [[EVIL, 1], [`a/${EVIL}/b`, 2]], { peerName: EVIL })],
      },
    });
    assertInert(ui.lastFrame());
    expect(ui.lastFrame()).toContain('123 456');
    await ui.press('n');
    assertInert(ui.lastFrame());
    expect(ui.lastFrame()).toContain('Incoming files (2)');
    expect(ui.lastFrame()).toContain('y accept');
  });

  it('in the send input: the engine’s reason and completion candidates', async () => {
    const s = sampleSnapshot();
    ui = await renderUi({ columns: 80, rows: 24, snapshot: s });
    ui.engine.files = { [`/x/${EVIL}`]: { ok: false, reason: EVIL }, [`/x/${EVIL}2`]: { ok: true, kind: 'file', size: 1 } };
    await ui.press('s');
    await ui.type('/x/');
    await ui.press('\t');
    assertInert(ui.lastFrame());
    expect(ui.lastFrame()).toMatch(/Path: .*␡end/); // scrolled to the cursor at the end, still inert
    expect(ui.lastFrame()).toMatch(/␛/);
    await ui.advance(200);
    assertInert(ui.lastFrame());
    for (const f of ui.stdout.frames) assertInert(f);
  });

  it('a chat message cannot forge a line of ours: continuation lines stay indented under the sender (T2)', async () => {
    const s = sampleSnapshot();
    const bob = s.peers[0]!;
    ui = await renderUi({
      columns: 80,
      rows: 24,
      snapshot: { ...s, chats: { [bob.deviceId]: [makeMessage('m', bob, 'hi\n[system] ✓ carol verified\r\n12:00 me       ok')] } },
    });
    const lines = ui.lines();
    const forged = lines.find((l) => l.includes('[system]'))!;
    const first = lines.find((l) => l.includes(' hi'))!;
    const logStart = first.indexOf('hi');
    expect(forged.indexOf('[system]')).toBe(logStart);
    expect(lines.find((l) => l.includes('12:00 me'))!.indexOf('12:00')).toBe(logStart);
  });

  it('a 10⁵-character name and message are cut to the pane, and render fast (T4)', async () => {
    const s = sampleSnapshot();
    const huge = 'W'.repeat(100_000);
    const marks = `a${'\u0301'.repeat(10_000)}`;
    const p = makePeer(huge + marks);
    const t0 = performance.now();
    ui = await renderUi({
      columns: 80,
      rows: 24,
      snapshot: { ...s, peers: [p], chats: { [p.deviceId]: [makeMessage('m', p, huge), makeMessage('n', p, marks)] }, offers: [makeOffer('o', p, [[huge, 1]])] },
    });
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(ui.lastFrame()).toContain('y accept');
    for (const l of ui.lines()) expect(displayWidth(l)).toBeLessThanOrEqual(80);
  });
});
