import { describe, expect, it } from 'vitest';
import { type FitLayout, type LayoutMode, MIN_COLUMNS, MIN_ROWS, type Rect, computeLayout } from '../../src/ui/layout.js';

function fit(columns: number, rows: number, mode: LayoutMode = 'normal'): FitLayout {
  const l = computeLayout({ columns, rows, focus: 'peers', mode });
  if (!l.fits) throw new Error(l.message);
  return l;
}

function inside(r: Rect, columns: number, rows: number): boolean {
  return r.x >= 0 && r.y >= 0 && r.width > 0 && r.height > 0 && r.x + r.width <= columns && r.y + r.height <= rows;
}

function overlaps(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

const TILES = ['header', 'peers', 'transfers', 'chat', 'notice', 'status'] as const;

describe('computeLayout', () => {
  it('lays out 80x24 exactly', () => {
    const l = fit(80, 24);
    expect(l.header).toEqual({ x: 0, y: 0, width: 80, height: 1 });
    expect(l.peers).toEqual({ x: 0, y: 1, width: 29, height: 21 });
    expect(l.transfers).toEqual({ x: 29, y: 1, width: 51, height: 9 });
    expect(l.chat).toEqual({ x: 29, y: 10, width: 51, height: 12 });
    expect(l.chatLog).toEqual({ x: 30, y: 11, width: 49, height: 9 });
    expect(l.chatInput).toEqual({ x: 30, y: 20, width: 49, height: 1 });
    expect(l.notice).toEqual({ x: 0, y: 22, width: 80, height: 1 });
    expect(l.status).toEqual({ x: 0, y: 23, width: 80, height: 1 });
    expect(l.overlay).toBeUndefined();
  });

  it('lays out 120x40 exactly', () => {
    const l = fit(120, 40);
    expect(l.peers).toEqual({ x: 0, y: 1, width: 43, height: 37 });
    expect(l.transfers).toEqual({ x: 43, y: 1, width: 77, height: 17 });
    expect(l.chat).toEqual({ x: 43, y: 18, width: 77, height: 20 });
    expect(l.status.y).toBe(39);
  });

  for (const [columns, rows] of [
    [80, 24],
    [120, 40],
    [MIN_COLUMNS, MIN_ROWS],
    [300, 100],
    [61, 17],
  ] as const) {
    it(`tiles ${columns}x${rows} with no gap, overlap or overflow`, () => {
      const l = fit(columns, rows);
      let area = 0;
      for (const k of TILES) {
        expect(inside(l[k], columns, rows), k).toBe(true);
        area += l[k].width * l[k].height;
        for (const o of TILES) if (o !== k) expect(overlaps(l[k], l[o]), `${k}/${o}`).toBe(false);
      }
      expect(area).toBe(columns * rows);
      expect(l.transfers.height).toBeGreaterThanOrEqual(4);
      expect(l.chat.height).toBeGreaterThanOrEqual(4);
      expect(inside(l.chatInput, columns, rows)).toBe(true);
      expect(overlaps(l.chatLog, l.chatInput)).toBe(false);
    });
  }

  it('places overlays inside the body for help, dialogs and the send input', () => {
    for (const mode of ['help', 'dialog', 'send'] as const) {
      for (const [c, r] of [
        [80, 24],
        [120, 40],
        [MIN_COLUMNS, MIN_ROWS],
      ] as const) {
        const l = fit(c, r, mode);
        expect(l.overlay, mode).toBeDefined();
        const o = l.overlay!;
        expect(inside(o, c, r)).toBe(true);
        expect(o.y).toBeGreaterThanOrEqual(1); // header stays visible
        expect(o.y + o.height).toBeLessThanOrEqual(r - 2); // notice and status stay visible
      }
    }
    expect(fit(80, 24, 'chat').overlay).toBeUndefined();
  });

  it('passes focus through and does not move panes when it changes', () => {
    const a = computeLayout({ columns: 80, rows: 24, focus: 'peers', mode: 'normal' });
    const b = computeLayout({ columns: 80, rows: 24, focus: 'chat', mode: 'normal' });
    expect(a.fits && b.fits).toBe(true);
    if (a.fits && b.fits) {
      expect(b.focus).toBe('chat');
      expect(b.chat).toEqual(a.chat);
    }
  });

  it('says clearly when the terminal is too small', () => {
    for (const [c, r] of [
      [MIN_COLUMNS - 1, 24],
      [80, MIN_ROWS - 1],
      [0, 0],
      [20, 5],
    ] as const) {
      const l = computeLayout({ columns: c, rows: r, focus: 'peers', mode: 'normal' });
      expect(l.fits).toBe(false);
      if (!l.fits) expect(l.message).toBe(`terminal too small: need ≥ ${MIN_COLUMNS}x${MIN_ROWS}, have ${c}x${r}`);
    }
  });
});
