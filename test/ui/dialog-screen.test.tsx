/**
 * Dialogs on the real painted screen (VtScreen behind runDashboard): sized to
 * their content, centred, with a blank gutter so no pane fragment runs into
 * their border, and the screen under them comes back exactly when they close.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makeOffer } from '../helpers/fake-engine.js';
import { type Harness, startDashboard } from './dashboard-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  h?.events.emit('SIGTERM');
  await h?.done;
  h = undefined;
});

/** Row indexes and left column of the dialog box whose top border holds `title`. */
function box(lines: string[], title: string): { top: number; bottom: number; left: number; right: number } {
  const top = lines.findIndex((l) => l.includes(title));
  const left = [...lines[top]!].indexOf('╔');
  const chars = (l: string) => [...l];
  let bottom = top + 1;
  while (bottom < lines.length && chars(lines[bottom]!)[left] !== '╚') bottom++;
  const right = chars(lines[top]!).indexOf('╗', left);
  return { top, bottom, left, right };
}

describe('dialogs on the painted screen', () => {
  for (const [what, open] of [
    ['a local confirm (quit while a transfer runs)', async (x: Harness) => x.press('q')],
    [
      'an incoming offer',
      async (x: Harness) => {
        x.engine.set((s) => ({ ...s, offers: [makeOffer('o1', s.peers[0]!, [['a.txt', 10]])] }));
        await x.advance(200);
      },
    ],
  ] as const) {
    it(`${what}: content-sized, centred, gutter, clean redraw on close`, async () => {
      h = await startDashboard({ columns: 80, rows: 30 });
      await h.advance(200);
      const before = h.screen();
      await open(h);
      await h.advance(200);
      const lines = h.screen().split('\n');
      const title = what.startsWith('a local') ? 'Quit peerdeck?' : 'Incoming file';
      const b = box(lines, title);
      expect(b.top).toBeGreaterThan(0);
      const height = b.bottom - b.top + 1;
      expect(height).toBeLessThanOrEqual(10); // content, not the whole 20-row room
      // Centred in the body (rows 1 … rows-3), within a row.
      const bodyMid = (1 + 27) / 2;
      expect(Math.abs((b.top + b.bottom) / 2 - bodyMid)).toBeLessThanOrEqual(1);
      expect(Math.abs(b.left + (b.right - b.left) / 2 - 79 / 2)).toBeLessThanOrEqual(1);
      // A blank cell left and right of every row of the box, and blank rows above and below it.
      for (let r = b.top; r <= b.bottom; r++) {
        const row = [...lines[r]!];
        expect(row[b.left - 1], `row ${r}`).toBe(' ');
        expect(row[b.right + 1], `row ${r}`).toBe(' ');
      }
      expect([...lines[b.top - 1]!].slice(b.left - 1, b.right + 2).join('').trim()).toBe('');
      expect([...lines[b.bottom + 1]!].slice(b.left - 1, b.right + 2).join('').trim()).toBe('');
      // Close it: the screen is what it was, not a cell left over.
      if (what.startsWith('a local')) await h.press('n');
      else {
        h.engine.set((s) => ({ ...s, offers: [] }));
        await h.advance(200);
      }
      await h.advance(200);
      const calm = (t: string) => t.replace(/next attempt in \d+ s/, 'next attempt in N s'); // the clock moved on
      expect(calm(h.screen())).toBe(calm(before));
    });
  }
});
