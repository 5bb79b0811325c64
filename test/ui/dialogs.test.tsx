import { afterEach, describe, expect, it } from 'vitest';
import { deriveDialogs } from '../../src/ui/dialogs.js';
import { initialUiState } from '../../src/ui/ui-state.js';
import { makeOffer, makePairing, makePeer, sampleSnapshot } from '../helpers/fake-engine.js';
import { type RenderedUi, renderUi } from '../helpers/render-ui.js';

let ui: RenderedUi | undefined;
afterEach(() => ui?.unmount());

const base = sampleSnapshot();
const [bob, carol] = base.peers;
const frank = makePeer('frank', { verified: false });

describe('dialog queue', () => {
  it('two pairing requests and an offer arriving at once are answered one after another, none lost', async () => {
    ui = await renderUi({ snapshot: { ...base, transfers: [] }, columns: 80, rows: 24 });
    await ui.setSnapshot((s) => ({
      ...s,
      peers: [...s.peers, frank],
      pairings: [makePairing('p1', carol!, { code: '111222' }), makePairing('p2', frank, { code: '333444' })],
      offers: [makeOffer('o1', bob!, [['report.pdf', 1_234_567]])],
    }));
    let f = ui.lastFrame();
    expect(f).toContain('Pairing request (1 of 3)');
    expect(f).toContain(`carol (${carol!.shortId})`);
    expect(f).toContain('111 222');

    await ui.press('y');
    f = ui.lastFrame();
    // p1 is now waiting for the other side and goes to the back; p2 is in front.
    expect(f).toContain('Pairing request (1 of 3)');
    expect(f).toContain(`frank (${frank.shortId})`);
    expect(f).toContain('333 444');

    await ui.press('n');
    f = ui.lastFrame();
    expect(f).toContain('Incoming file (1 of 2)');
    expect(f).toContain('report.pdf');

    await ui.press('y');
    f = ui.lastFrame();
    expect(f).toContain('Pairing request');
    expect(f).toContain('✓ Confirmed here.');
    expect(f).toContain('Waiting for carol to confirm the same code');
    expect(f).not.toContain('(1 of');

    expect(ui.engine.callsOf('answerPairing')).toEqual([
      ['p1', true],
      ['p2', false],
    ]);
    expect(ui.engine.callsOf('answerOffer')).toEqual([['o1', true]]);

    // y again on a waiting pairing does nothing; the engine finishing removes it.
    await ui.press('y');
    expect(ui.engine.callsOf('answerPairing')).toHaveLength(2);
    await ui.setSnapshot((s) => ({ ...s, pairings: [], offers: [] }));
    expect(ui.lastFrame()).not.toContain('Pairing request');
    expect(ui.lastFrame()).toContain('▸ Peers');
  });

  it('a dialog arriving later joins the back of the queue', async () => {
    ui = await renderUi({ snapshot: { ...base, pairings: [makePairing('p1', carol!)] }, columns: 80, rows: 24 });
    await ui.setSnapshot((s) => ({ ...s, offers: [makeOffer('o1', bob!, [['a', 1]])] }));
    expect(ui.lastFrame()).toContain('Pairing request (1 of 2)');
    await ui.press('n');
    expect(ui.lastFrame()).toContain('Incoming file');
  });

  it('the pairing dialog shows peer, short ID, address, the code as 123 456 and the question; y is refused until the code exists', async () => {
    ui = await renderUi({
      snapshot: { ...base, pairings: [makePairing('p1', carol!, { code: undefined, direction: 'outgoing', address: '10.0.0.7:51515' })] },
      columns: 80,
      rows: 24,
    });
    let f = ui.lastFrame();
    expect(f).toContain('You asked to pair with:');
    expect(f).toContain(`carol (${carol!.shortId})`);
    expect(f).toContain('Address  10.0.0.7:51515');
    expect(f).toContain('computing…');
    await ui.press('y');
    expect(ui.engine.callsOf('answerPairing')).toEqual([]);
    expect(ui.lastFrame()).toContain('The code is not ready yet');
    await ui.setSnapshot((s) => ({ ...s, pairings: [makePairing('p1', carol!, { code: '042917', direction: 'outgoing' })] }));
    f = ui.lastFrame();
    expect(f).toContain('Code     042 917');
    expect(f).toContain('Does the other screen show the same code?');
    expect(f).toContain('y yes, same code    n / Esc no');
  });

  it('the engine marking the pairing confirmedLocally shows the waiting state too', async () => {
    ui = await renderUi({ snapshot: { ...base, pairings: [makePairing('p1', carol!, { confirmedLocally: true })] }, columns: 80, rows: 24 });
    expect(ui.lastFrame()).toContain('Waiting for carol');
    expect(ui.lastFrame()).toContain('n / Esc cancel pairing');
    await ui.press('\x1b');
    expect(ui.engine.callsOf('answerPairing')).toEqual([['p1', false]]);
  });

  it('the offer dialog lists files with sizes, total and free space, scrolls, and keeps y/n visible', async () => {
    const files: Array<[string, number]> = Array.from({ length: 40 }, (_, i) => [`photos/IMG_${String(i).padStart(4, '0')}.jpg`, 2_000_000]);
    ui = await renderUi({ snapshot: { ...base, offers: [makeOffer('o1', bob!, files, { freeBytes: 10_000_000 })] }, columns: 80, rows: 24 });
    let f = ui.lastFrame();
    expect(f).toContain('Incoming files (40)');
    expect(f).toContain(`bob-laptop (${bob!.shortId}) wants to send you:`);
    expect(f).toContain('photos/IMG_0000.jpg');
    expect(f).toMatch(/photos\/IMG_0000\.jpg +1\.9 MiB/);
    expect(f).toContain('Total 76.3 MiB in 40 files · 9.5 MiB free');
    expect(f).toContain('⚠ Not enough free space');
    expect(f).toMatch(/↓ \d+ more/);
    expect(f).toContain('y accept    n deny    Esc later');
    for (let i = 0; i < 50; i++) await ui.press('j');
    f = ui.lastFrame();
    expect(f).toContain('photos/IMG_0039.jpg');
    expect(f).toMatch(/↑ \d+ above/);
    expect(f).toContain('y accept    n deny    Esc later');
  });

  it('derives the queue purely: confirms first, then pairings and offers, waiting pairings last; answered ones hidden', () => {
    const snapshot = {
      ...base,
      pairings: [makePairing('w', carol!, { confirmedLocally: true }), makePairing('p', frank)],
      offers: [makeOffer('o', bob!, [['a', 1]]), makeOffer('gone', bob!, [['b', 1]])],
    };
    const state = { ...initialUiState, confirms: [{ kind: 'quit' as const, key: 'quit' }], answered: { gone: 'no' as const } };
    expect(deriveDialogs(state, snapshot).map((d) => d.key)).toEqual(['quit', 'pairing:p', 'offer:o', 'pairing:w']);
  });
});

describe('dialog details', () => {
  it('the pairing dialog counts down to its timeout on its own, and says when it timed out', async () => {
    ui = await renderUi({ snapshot: { ...base, transfers: [] }, columns: 80, rows: 24 });
    const now = ui.clock.now();
    await ui.setSnapshot((s) => ({ ...s, pairings: [makePairing('p1', carol!, { expiresAt: now + 30_000 })] }));
    expect(ui.lastFrame()).toMatch(/Expires\s+in 30 s/);
    await ui.advance(5000); // no new snapshot: the dialog's own 1 s tick
    expect(ui.lastFrame()).toMatch(/Expires\s+in 25 s/);
    await ui.advance(25_000);
    expect(ui.lastFrame()).toMatch(/Expires\s+timed out/);
  });

  it('a pairing without a deadline shows no countdown', async () => {
    ui = await renderUi({ snapshot: { ...base, transfers: [], pairings: [makePairing('p1', carol!)] }, columns: 80, rows: 24 });
    expect(ui.lastFrame()).toContain('Pairing request');
    expect(ui.lastFrame()).not.toContain('Expires');
  });

  it('the offer says where the files land and the free space there; "unknown" only when the engine does not know', async () => {
    ui = await renderUi({
      snapshot: { ...base, transfers: [], offers: [makeOffer('o1', bob!, [['a.txt', 10]], { destination: '/home/alice/Downloads' })] },
      columns: 80,
      rows: 24,
    });
    expect(ui.lastFrame()).toContain('to /home/alice/Downloads, 50.0 GiB free');
    expect(ui.lastFrame()).not.toContain('unknown');
    ui.unmount();
    ui = await renderUi({
      snapshot: { ...base, transfers: [], offers: [makeOffer('o1', bob!, [['a.txt', 10]], { destination: '/dl', freeBytes: undefined })] },
      columns: 80,
      rows: 24,
    });
    expect(ui.lastFrame()).toContain('to /dl, free space unknown');
  });
});
