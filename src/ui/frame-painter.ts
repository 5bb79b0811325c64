/**
 * Paints Ink frames onto a full-screen terminal, changed lines only, at most
 * `1000 / minIntervalMs` times per second.
 *
 * Why not Ink's own output path (ink 6.8.0, node_modules/ink/build):
 *  - ink.js:322-327: once the last frame was ≥ `stdout.rows` tall, every frame
 *    is written as `clearTerminal` + the whole frame (full redraw, flicker);
 *  - log-update.js:164 (incremental mode) moves the cursor up
 *    `previousVisible - 1` rows from the line *below* the frame, so with the
 *    trailing newline Ink adds to any frame shorter than the terminal
 *    (ink.js:320-321) every changed line lands one row too low (measured:
 *    test/ui/frame-painter.test.ts);
 *  - standard mode (log-update.js:48) erases and rewrites the whole frame
 *    every time;
 *  - ink.js:262-269: when `is-in-ci` says CI (decided once, at import, from
 *    the CI variable) nothing but the last frame is ever written.
 * So the dashboard renders Ink with `debug: true`, where Ink hands each
 * complete frame to `stdout.write` (ink.js:255-260, ahead of the CI branch),
 * and this object stands in for stdout: it keeps the newest frame, and on a
 * throttled tick writes, inside one synchronized update, only the rows that
 * differ — each addressed absolutely (CSI row;1H), so no relative cursor
 * bookkeeping can drift. With absolute addressing and autowrap off (see
 * terminal-session.ts) the frame can use every row of the terminal: nothing
 * here ever scrolls or clears the screen after the first paint.
 */
import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '../core/clock.js';
import { displayWidth } from './text.js';

export interface TerminalOut {
  write(chunk: string): unknown;
  readonly columns?: number;
  readonly rows?: number;
}

/** DEC synchronized output: terminals that know it show the update at once; others ignore it. */
export const BSU = '\x1b[?2026h';
export const ESU = '\x1b[?2026l';

/** 10 frames per second: smooth enough for progress bars, calm over SSH. */
export const MAX_FPS = 10;

const SGR = /\x1b\[[0-9;]*m/g;
/**
 * Last line of defence behind safe.ts: in a frame only SGR (colour, bold)
 * sequences may pass. Any other escape, C0 or C1 control, DEL, bidi override
 * or isolate is removed.
 */
const NOT_SGR_ESCAPE = /\x1b(?!\[[0-9;]*m)/g;
const CONTROLS = /[\x00-\x08\x0a-\x1a\x1c-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

export function scrubLine(line: string): string {
  return line.replace(NOT_SGR_ESCAPE, '').replace(CONTROLS, '').replace(/\t/g, ' ');
}

export class FramePainter extends EventEmitter {
  /** Ink checks these on its stdout. */
  readonly isTTY = true;
  private pending: string | undefined;
  private painted: string[] = [];
  private full = true;
  private timer: TimerHandle | undefined;
  private lastPaint = -Infinity;
  private closed = false;
  /** Paints that wrote something, and bytes written by them (for tests and the rendering-cost note). */
  paints = 0;
  bytes = 0;

  constructor(
    private readonly out: TerminalOut,
    private readonly clock: Clock,
    private readonly minIntervalMs = Math.ceil(1000 / MAX_FPS),
  ) {
    super();
  }

  get columns(): number {
    return this.out.columns || 80;
  }

  get rows(): number {
    return this.out.rows || 24;
  }

  /** Ink's stdout.write: in debug mode every call is one whole frame. */
  write(chunk: string | Uint8Array, encodingOrCb?: unknown, cb?: unknown): boolean {
    const done = typeof encodingOrCb === 'function' ? encodingOrCb : cb;
    if (!this.closed) {
      this.pending = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      this.schedule();
    }
    if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
    return true;
  }

  /** After a resize (or anything that may have disturbed the screen): clear and repaint everything. */
  invalidate(): void {
    this.full = true;
    this.schedule();
  }

  /** Paint a pending frame now, ignoring the rate limit (used right before leaving). */
  flush(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.paint();
  }

  /** Stop painting; later frames are dropped. */
  close(): void {
    this.closed = true;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    const wait = this.lastPaint + this.minIntervalMs - this.clock.now();
    if (wait <= 0) this.paint();
    else
      this.timer = this.clock.setTimeout(() => {
        this.timer = undefined;
        this.paint();
      }, wait);
  }

  private paint(): void {
    if (this.closed) return;
    const frame = this.pending;
    this.pending = undefined;
    if (frame === undefined && !this.full) return;
    const rows = this.rows;
    const cols = this.columns;
    // Never draw taller than the terminal.
    const lines = (frame ?? this.painted.join('\n')).split('\n').slice(0, rows).map(scrubLine);
    let body = '';
    if (this.full) body += '\x1b[H\x1b[2J';
    const n = Math.max(lines.length, this.painted.length);
    for (let r = 0; r < n && r < rows; r++) {
      const line = lines[r] ?? '';
      if (this.full ? line === '' : line === this.painted[r]) continue;
      const plain = line.includes('\x1b') ? line.replace(SGR, '') : line;
      // Erase the rest of the row, except when the line reaches the last column:
      // there EL would erase the character under the (pending-wrap) cursor.
      const erase = this.full || displayWidth(plain) >= cols ? '' : '\x1b[K';
      body += `\x1b[${r + 1};1H${line}${line.includes('\x1b') ? '\x1b[0m' : ''}${erase}`;
    }
    this.full = false;
    this.painted = lines;
    this.lastPaint = this.clock.now();
    if (body === '') return;
    const data = BSU + body + ESU;
    this.paints++;
    this.bytes += Buffer.byteLength(data);
    try {
      this.out.write(data);
    } catch {
      // The terminal went away (SSH dropped); the session's exit path handles it.
    }
  }
}
