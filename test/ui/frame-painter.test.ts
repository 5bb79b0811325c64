import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { BSU, ESU, FramePainter, scrubLine } from '../../src/ui/frame-painter.js';
import { VtScreen } from './vt-screen.js';

function setup(columns = 20, rows = 5) {
  const clock = new ManualClock();
  const screen = new VtScreen(columns, rows);
  const writes: string[] = [];
  const out = {
    columns,
    rows,
    write(s: string) {
      writes.push(s);
      screen.write(s);
    },
  };
  const painter = new FramePainter(out, clock, 100);
  return { clock, screen, writes, painter, out };
}

describe('FramePainter', () => {
  it('paints the first frame at once, full screen, inside a synchronized update', () => {
    const { painter, screen, writes } = setup();
    painter.write('hello\nworld');
    expect(writes).toHaveLength(1);
    expect(writes[0]!.startsWith(`${BSU}\x1b[H\x1b[2J`)).toBe(true);
    expect(writes[0]!.endsWith(ESU)).toBe(true);
    expect(screen.text().split('\n').slice(0, 2)).toEqual(['hello', 'world']);
  });

  it('rewrites only the rows that changed, addressed absolutely', () => {
    const { painter, clock, screen, writes } = setup();
    painter.write('a\nb\nc');
    clock.advance(100);
    painter.write('a\nB!\nc');
    expect(writes).toHaveLength(2);
    expect(writes[1]).toBe(`${BSU}\x1b[2;1HB!\x1b[K${ESU}`);
    expect(screen.text().split('\n').slice(0, 3)).toEqual(['a', 'B!', 'c']);
    expect(screen.clears).toBe(1); // only the first paint cleared
  });

  it('writes nothing for an identical frame', () => {
    const { painter, clock, writes } = setup();
    painter.write('a\nb');
    clock.advance(100);
    painter.write('a\nb');
    clock.advance(100);
    expect(writes).toHaveLength(1);
    expect(painter.paints).toBe(1);
  });

  it('paints at most once per interval, always the newest frame (trailing edge)', () => {
    const { painter, clock, writes, screen } = setup();
    for (let i = 0; i < 100; i++) {
      painter.write(`frame ${i}`);
      clock.advance(10); // 100 frames in one second
    }
    clock.advance(100);
    expect(writes.length).toBeLessThanOrEqual(11);
    expect(screen.line(0)).toBe('frame 99');
  });

  it('never draws taller than the terminal, and erases rows a shorter frame no longer uses', () => {
    const { painter, clock, screen } = setup(10, 3);
    painter.write('1\n2\n3\n4\n5');
    expect(screen.text()).toBe('1\n2\n3');
    expect(screen.scrolled).toBe(0);
    clock.advance(100);
    painter.write('1');
    expect(screen.text()).toBe('1\n\n');
  });

  it('does not erase the last column of a full-width row (pending-wrap cursor)', () => {
    const { painter, clock, writes } = setup(5, 2);
    painter.write('ab');
    clock.advance(100);
    painter.write('abcde');
    expect(writes[1]).toBe(`${BSU}\x1b[1;1Habcde${ESU}`);
  });

  it('invalidate repaints everything (after a resize)', () => {
    const { painter, clock, writes } = setup();
    painter.write('x\ny');
    clock.advance(100);
    painter.invalidate();
    expect(writes[1]).toContain('\x1b[2J');
    expect(writes[1]).toContain('x');
    expect(writes[1]).toContain('y');
  });

  it('drops frames after close', () => {
    const { painter, writes } = setup();
    painter.close();
    painter.write('late');
    expect(writes).toHaveLength(0);
  });

  it('lets only SGR escapes through (defence behind safe.ts)', () => {
    expect(scrubLine('\x1b[31mred\x1b[0m')).toBe('\x1b[31mred\x1b[0m');
    expect(scrubLine('a\x1b[2Jb\x1b]0;t\x07c\x9b1md\u202ee\rf')).toBe('a[2Jb]0;tc1mdef');
  });

  it('stands in for a stream: EventEmitter with isTTY, columns and rows', () => {
    const { painter, out } = setup(33, 7);
    expect(painter).toBeInstanceOf(EventEmitter);
    expect(painter.isTTY).toBe(true);
    expect(painter.columns).toBe(33);
    expect(painter.rows).toBe(7);
    out.columns = 40;
    expect(painter.columns).toBe(40);
  });
});

describe('why not Ink’s own output path (ink 6.8.0, measured)', () => {
  // Ink is imported only below, in this file's own process: hide CI so Ink draws as on a terminal.
  delete process.env['CI'];
  delete process.env['CONTINUOUS_INTEGRATION'];

  /** Renders the same 10-row app twice with one changed line through Ink directly into a VtScreen. */
  async function inkDirect(height: number, incremental: boolean) {
    const { render, Box, Text } = await import('ink');
    const { createElement: h } = await import('react');
    const screen = new VtScreen(30, 10);
    const out = Object.assign(new EventEmitter(), {
      isTTY: true,
      columns: 30,
      rows: 10,
      write(s: string) {
        screen.write(s);
        return true;
      },
    });
    const stdin = Object.assign(new EventEmitter(), { isTTY: false, setEncoding() {}, setRawMode() {}, ref() {}, unref() {}, read: () => null });
    const app = (n: number) =>
      h(Box, { flexDirection: 'column', height }, ...Array.from({ length: height }, (_, i) => h(Text, { key: i }, `line ${i}${i === 3 ? ` v${n}` : ''}`)));
    const inst = render(app(0), { stdout: out as never, stdin: stdin as never, incrementalRendering: incremental, maxFps: 1000, patchConsole: false, exitOnCtrlC: false });
    await new Promise((r) => setTimeout(r, 10));
    for (let n = 1; n <= 3; n++) {
      inst.rerender(app(n));
      await new Promise((r) => setTimeout(r, 10));
    }
    const result = { text: screen.text(), clears: screen.clears };
    inst.unmount();
    return result;
  }

  it('a full-height frame makes Ink clear the terminal on every frame (ink.js:322)', async () => {
    const r = await inkDirect(10, false);
    expect(r.clears).toBe(3); // every frame after the first
  });

  it('incremental rendering puts a changed line one row too low when the frame is shorter than the terminal (log-update.js:164)', async () => {
    const r = await inkDirect(9, true);
    const lines = r.text.split('\n');
    expect(lines[3]).toBe('line 3 v0'); // stale: the new line did not land here…
    expect(lines[4]).toBe('line 3 v3'); // …but one row below, over "line 4"
  });
});
