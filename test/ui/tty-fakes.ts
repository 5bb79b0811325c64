/**
 * Terminal stand-ins for runDashboard tests, without importing Ink (so a test
 * file can set CI before Ink is first loaded): a TTY stdout that feeds a
 * VtScreen and counts bytes, a raw-mode stdin, and a process-events emitter.
 */
import { EventEmitter } from 'node:events';
import { VtScreen } from './vt-screen.js';

export class FakeTtyOut extends EventEmitter {
  readonly isTTY = true;
  screen: VtScreen;
  readonly writes: string[] = [];
  bytes = 0;
  destroyed = false;
  writable = true;
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
    this.screen = new VtScreen(columns, rows);
  }
  write(chunk: string | Uint8Array, cb?: unknown): boolean {
    const s = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    this.writes.push(s);
    this.bytes += Buffer.byteLength(s);
    this.screen.write(s);
    if (typeof cb === 'function') queueMicrotask(() => (cb as () => void)());
    return true;
  }
  /** Resize like a terminal: a fresh screen (the painter repaints everything) and a 'resize' event. */
  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    const alt = this.screen.altScreen;
    this.screen = new VtScreen(columns, rows);
    if (alt) this.screen.write('\x1b[?1049h');
    this.emit('resize');
  }
  get output(): string {
    return this.writes.join('');
  }
}

export class FakeTtyIn extends EventEmitter {
  isTTY = true;
  rawMode = false;
  rawModeCalls: boolean[] = [];
  private data: string | null = null;
  write(data: string): void {
    this.data = data;
    this.emit('readable');
    this.emit('data', data);
  }
  read(): string | null {
    const d = this.data;
    this.data = null;
    return d;
  }
  setRawMode(mode: boolean): this {
    this.rawMode = mode;
    this.rawModeCalls.push(mode);
    return this;
  }
  setEncoding(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  pause(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}

/** Stands in for `process` as the source of signals and crash events. */
export class FakeProcessEvents extends EventEmitter {}

export async function tick(rounds = 2): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 0));
  }
}

/** Wait (in real time, yielding to the event loop) until `cond` holds. */
export async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (cond()) return;
    await tick(1);
  }
  throw new Error(`timed out waiting for ${what}`);
}
