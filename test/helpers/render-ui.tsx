/**
 * Renders the dashboard against a FakeEngine at a chosen size, the way
 * ink-testing-library does (debug mode into fake streams) but with the
 * columns the test asks for (ink-testing-library fixes them at 100). Keys are
 * written to a fake stdin, then we yield setImmediate → setTimeout(0) so
 * React 19 can flush effects (Shopify cli-kit's note), twice: a lone ESC is
 * held by Ink's input parser until the next setImmediate.
 */
import { EventEmitter } from 'node:events';
import { render } from 'ink';
import { ManualClock } from '../../src/core/clock.js';
import type { EngineSnapshot } from '../../src/core/engine-api.js';
import { Root } from '../../src/ui/components/Root.js';
import { type Command, type KeySpec, binding, keySequence } from '../../src/ui/keymap.js';
import { type Theme, monoTheme } from '../../src/ui/theme.js';
import { throttleStore } from '../../src/ui/throttled-store.js';
import type { QuitReason } from '../../src/ui/ui-state.js';
import { FakeEngine } from './fake-engine.js';

export class TestStdout extends EventEmitter {
  readonly isTTY = true;
  readonly frames: string[] = [];
  bytes = 0;
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write = (frame: string): boolean => {
    this.frames.push(frame);
    this.bytes += Buffer.byteLength(frame);
    return true;
  };
  lastFrame = (): string => this.frames[this.frames.length - 1] ?? '';
}

export class TestStdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  write = (data: string): void => {
    this.data = data;
    this.emit('readable');
    this.emit('data', data);
  };
  read = (): string | null => {
    const d = this.data;
    this.data = null;
    return d;
  };
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

export async function tick(): Promise<void> {
  for (let i = 0; i < 2; i++) {
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 0));
  }
}

export interface RenderUiOptions {
  readonly engine?: FakeEngine;
  readonly snapshot?: EngineSnapshot;
  readonly columns?: number;
  readonly rows?: number;
  readonly clock?: ManualClock;
  readonly theme?: Theme;
}

export async function renderUi(opts: RenderUiOptions = {}) {
  const engine = opts.engine ?? new FakeEngine(opts.snapshot);
  const clock = opts.clock ?? new ManualClock();
  const columns = opts.columns ?? 80;
  const rows = opts.rows ?? 24;
  const stdout = new TestStdout(columns, rows);
  const stdin = new TestStdin();
  const quits: QuitReason[] = [];
  // Interval 0: every engine notification reaches React at once, so tests need not advance time for it.
  const store = throttleStore(engine, clock, 0);
  const env = { engine, store, clock };
  let size = { columns, rows };
  const element = () => (
    <Root env={env} theme={opts.theme ?? monoTheme} columns={size.columns} rows={size.rows} onQuit={(r) => quits.push(r)} />
  );
  const instance = render(element(), {
    stdout: stdout as never,
    stdin: stdin as never,
    stderr: new TestStdout(columns, rows) as never,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  await tick();

  const press = async (...keys: Array<KeySpec | string>): Promise<void> => {
    for (const k of keys) {
      stdin.write(typeof k === 'string' ? k : keySequence(k));
      await tick();
    }
  };

  return {
    engine,
    clock,
    stdout,
    stdin,
    quits,
    lastFrame: (): string => stdout.lastFrame(),
    /** Lines of the last frame. */
    lines: (): string[] => stdout.lastFrame().split('\n'),
    press,
    /** Press the `keyIndex`-th key bound to a keymap command. */
    pressCommand: async (command: Command, keyIndex = 0): Promise<void> => {
      const spec = binding(command).keys[keyIndex];
      if (!spec) throw new Error(`${command} has no key #${keyIndex}`);
      await press(spec);
    },
    /** Type text into whatever input is open, one key at a time. */
    type: async (text: string): Promise<void> => {
      for (const ch of text) {
        stdin.write(ch);
        await tick();
      }
    },
    advance: async (ms: number): Promise<void> => {
      clock.advance(ms);
      await tick();
    },
    resize: async (c: number, r: number): Promise<void> => {
      size = { columns: c, rows: r };
      stdout.columns = c;
      stdout.rows = r;
      instance.rerender(element());
      await tick();
    },
    setSnapshot: async (next: EngineSnapshot | ((s: EngineSnapshot) => EngineSnapshot)): Promise<void> => {
      engine.set(next);
      await tick();
    },
    unmount: (): void => {
      instance.unmount();
      instance.cleanup();
      store.dispose();
    },
  };
}

export type RenderedUi = Awaited<ReturnType<typeof renderUi>>;
