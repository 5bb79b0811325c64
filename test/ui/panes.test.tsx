import { afterEach, describe, expect, it } from 'vitest';
import { computeLayout, type FitLayout, type Rect } from '../../src/ui/layout.js';
import { displayWidth } from '../../src/ui/text.js';
import { makeTransfer, sampleSnapshot } from '../helpers/fake-engine.js';
import { type RenderedUi, renderUi } from '../helpers/render-ui.js';

let ui: RenderedUi | undefined;
afterEach(() => ui?.unmount());

/** The text inside a rect of the frame (sample data is all single-width characters). */
function region(frame: string, r: Rect): string {
  return frame
    .split('\n')
    .slice(r.y, r.y + r.height)
    .map((l) => [...l].slice(r.x, r.x + r.width).join(''))
    .join('\n');
}

function layoutFor(columns: number, rows: number): FitLayout {
  const l = computeLayout({ columns, rows, focus: 'peers', mode: 'normal' });
  if (!l.fits) throw new Error('does not fit');
  return l;
}

const snap = sampleSnapshot();
const [bob, carol, dave, erin] = snap.peers;

for (const [columns, rows] of [
  [80, 24],
  [120, 40],
] as const) {
  describe(`dashboard at ${columns}x${rows}`, () => {
    const layout = layoutFor(columns, rows);

    it('fills the terminal exactly and never draws wider or taller', async () => {
      ui = await renderUi({ snapshot: sampleSnapshot(), columns, rows });
      const lines = ui.lines();
      expect(lines).toHaveLength(rows);
      for (const l of lines) expect(displayWidth(l)).toBeLessThanOrEqual(columns);
      for (const f of ui.stdout.frames) expect(f.split('\n').length).toBeLessThanOrEqual(rows);
    });

    it('header: own name, short device ID, listening address; the relay only when there is one', async () => {
      ui = await renderUi({ snapshot: sampleSnapshot(), columns, rows });
      const header = region(ui.lastFrame(), layout.header);
      expect(header).toContain('peerdeck');
      expect(header).toContain(`alice (${snap.self.shortId})`);
      expect(header).toContain('listening 0.0.0.0:51515');
      expect(header).not.toContain('relay'); // none yet: not shown
      expect(header).toContain('2/4 online');
    });

    it('peers pane: name with short ID beside it, verified mark, state as glyph and word, RTT, last seen', async () => {
      ui = await renderUi({ snapshot: sampleSnapshot(), columns, rows });
      const pane = region(ui.lastFrame(), layout.peers);
      expect(pane).toContain('▸ Peers (4)');
      expect(pane).toMatch(new RegExp(`› bob-laptop ${bob!.shortId} ✓`));
      expect(pane).toContain(`carol ${carol!.shortId} ?`);
      expect(pane).toContain(`dave-nas ${dave!.shortId} ✓`);
      expect(pane).toContain(`erin ${erin!.shortId} ✓`);
      expect(pane).toContain('● online · 3 ms');
      expect(pane).toContain('● online · unverified');
      expect(pane).toContain('○ offline · 3 h ago');
      expect(pane).toContain('◐ stale · 40 s ago');
      if (columns >= 120) expect(pane).toContain('● online · unverified · 41 ms');
    });

    it('transfers pane: direction, peer, label, bar, bytes/total, rate, ETA, retry countdown and attempts', async () => {
      ui = await renderUi({ snapshot: sampleSnapshot(), columns, rows });
      const pane = region(ui.lastFrame(), layout.transfers);
      expect(pane).toContain('Transfers (3)');
      expect(pane).toMatch(/↑ holiday-photos to bob-laptop +47%/);
      expect(pane).toMatch(/█+[▏▎▍▌▋▊▉]?░+ 734 MiB\/1\.5 GiB · 48\.2 MiB\/s · ETA 17s/);
      expect(pane).toMatch(/↑ backup\.tar\.zst to dave-nas +↻ retrying/);
      expect(pane).toContain('↻ retrying · next attempt in 14 s · attempt 3');
      expect(pane).toMatch(/↓ notes\.md from carol +✓ done/);
    });

    it('chat pane: the selected peer, messages with delivery state, the input hint', async () => {
      ui = await renderUi({ snapshot: sampleSnapshot(), columns, rows });
      const pane = region(ui.lastFrame(), layout.chat);
      expect(pane).toContain(`Chat with bob-laptop (${bob!.shortId})`);
      expect(pane).toContain('photos coming your way');
      expect(pane).toContain('✓✓ delivered');
      expect(pane).toContain('ok, starting the backup after that');
      expect(pane).toContain('✓ sent');
      expect(pane).toContain('Press c or Enter to write');
    });

    it('status bar: keys from the keymap for the focused pane', async () => {
      ui = await renderUi({ snapshot: sampleSnapshot(), columns, rows });
      const status = region(ui.lastFrame(), layout.status);
      expect(status).toContain('Tab next pane');
      expect(status).toContain('s send');
      expect(status).toContain('? help');
      expect(status).toContain('q quit');
    });
  });
}

describe('states and empty panes', () => {
  it('shows failed, queued, paused, offered, cancelled and denied transfers with their reasons', async () => {
    const s = sampleSnapshot();
    const [b, c] = s.peers;
    ui = await renderUi({
      columns: 120,
      rows: 40,
      snapshot: {
        ...s,
        transfers: [
          makeTransfer('f', b!, { label: 'big.iso', state: 'failed', error: { code: 'ERR_NO_SPACE', message: 'disk full on the receiver' } }),
          makeTransfer('q', c!, { label: 'q.txt', state: 'queued', attempts: 1, nextAttemptAt: 5000 }),
          makeTransfer('p', b!, { label: 'p.bin', state: 'paused', error: { code: 'ERR_LINK', message: 'link dropped' }, bytesDone: 1024 }),
          makeTransfer('o', b!, { label: 'o.bin', state: 'offered' }),
          makeTransfer('x', b!, { label: 'x.bin', state: 'cancelled' }),
          makeTransfer('d', c!, { label: 'd.bin', state: 'denied' }),
        ],
      },
    });
    const f = ui.lastFrame();
    expect(f).toContain('✗ failed: disk full on the receiver (ERR_NO_SPACE)');
    expect(f).toContain('◷ queued · next attempt in 5 s · attempt 1 · peer offline');
    expect(f).toContain('‖ paused · link dropped');
    expect(f).toContain('… waiting for bob-laptop to accept');
    expect(f).toContain('⊘ cancelled');
    expect(f).toContain('⊘ denied by carol');
    await ui.advance(2000);
    expect(ui.lastFrame()).toContain('next attempt in 3 s');
  });

  it('says what to do when there is nobody and nothing yet', async () => {
    ui = await renderUi({ columns: 80, rows: 24 });
    const f = ui.lastFrame();
    expect(f).toContain('No peers yet.');
    expect(f).toContain('No transfers. Select a peer and press s to send.');
    expect(f).toContain('Select a peer to chat.');
  });

  it('keeps the selected peer visible when the list is longer than the pane', async () => {
    const s = sampleSnapshot();
    const many = Array.from({ length: 30 }, (_, i) => ({ ...s.peers[0]!, deviceId: `${s.peers[0]!.deviceId}-${i}` as never, name: `peer-${i}` }));
    ui = await renderUi({ columns: 80, rows: 24, snapshot: { ...s, peers: many } });
    for (let i = 0; i < 25; i++) await ui.press('j');
    expect(ui.lastFrame()).toContain('› peer-25');
    expect(ui.lastFrame()).not.toContain('peer-0 ');
  });
});

describe('terminal too small', () => {
  for (const [columns, rows] of [
    [59, 24],
    [80, 15],
    [40, 10],
  ] as const) {
    it(`${columns}x${rows} shows a clear message instead of a broken layout`, async () => {
      ui = await renderUi({ snapshot: sampleSnapshot(), columns, rows });
      const f = ui.lastFrame();
      expect(f.replace(/\n/g, ' ')).toContain('terminal too small: need ≥ 60x16');
      expect(f).not.toContain('Peers');
      expect(f.split('\n').length).toBeLessThanOrEqual(rows);
      for (const l of f.split('\n')) expect(displayWidth(l)).toBeLessThanOrEqual(columns);
    });
  }

  it('comes back when the terminal grows, and q still quits while small', async () => {
    ui = await renderUi({ snapshot: sampleSnapshot(), columns: 50, rows: 12 });
    await ui.press('s');
    await ui.resize(80, 24);
    expect(ui.lastFrame()).toContain('▸ Peers (4)');
    expect(ui.lastFrame()).not.toContain('Send to');
    await ui.resize(50, 12);
    await ui.press('s', 'p', 'x');
    expect(ui.engine.calls).toEqual([]); // nothing acts blind
    await ui.press('q');
    expect(ui.quits).toEqual([]); // a transfer is running: asks first, in words that fit
    expect(ui.lastFrame().replace(/\n/g, ' ')).toContain('Quit anyway? y quits, n stays.');
    await ui.press('n');
    expect(ui.lastFrame()).toContain('Make the window larger, or press q to quit.');
    await ui.press('q', 'y');
    expect(ui.quits).toEqual(['quit']);
  });
});

describe('focus changes', () => {
  it('moving focus redraws borders without shifting pane contents (Ink border-diff regression)', async () => {
    ui = await renderUi({ snapshot: sampleSnapshot(), columns: 80, rows: 24 });
    const before = ui.lines();
    for (let i = 0; i < 3; i++) {
      await ui.press('\t');
      const now = ui.lines();
      expect(now[2]).toContain('› bob-laptop');
      expect(now[2]).toContain('› ↑ holiday-photos');
      expect(now.length).toBe(before.length);
    }
    expect(ui.lastFrame()).toBe(before.join('\n'));
  });
});

describe('status bar priorities', () => {
  it('below 80 columns keeps the most important keys, ? always, and marks the cut', async () => {
    ui = await renderUi({ snapshot: { ...sampleSnapshot(), peers: [sampleSnapshot().peers[1]!] }, columns: 60, rows: 20 });
    const status = ui.lines()[19]!;
    expect(status).toContain('? help');
    expect(status).toContain('q quit');
    expect(status).toContain('s send');
    expect(status).toContain('c Enter chat');
    expect(status).toContain('…');
    expect(status.length).toBeLessThanOrEqual(60);
  });

  it('p pair is offered only for an unverified peer', async () => {
    const s = sampleSnapshot();
    ui = await renderUi({ snapshot: s, columns: 100, rows: 24 });
    expect(s.peers[0]!.verified).toBe(true);
    expect(ui.lines()[23]).not.toContain('p pair');
    await ui.press('j'); // carol, unverified
    expect(ui.lines()[23]).toContain('p pair');
  });

  it('shows the relay once there is one', async () => {
    const s = sampleSnapshot();
    ui = await renderUi({ snapshot: { ...s, self: { ...s.self, relay: 'relay.example:443' } }, columns: 120, rows: 24 });
    expect(ui.lines()[0]).toContain('relay: relay.example:443');
  });
});
