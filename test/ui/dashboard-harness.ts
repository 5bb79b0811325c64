/**
 * Starts runDashboard against a FakeEngine on fake terminal streams with a
 * manual clock. Imports no Ink itself, so test files can control the
 * environment (CI, FORCE_COLOR) Ink and chalk see when runDashboard loads them.
 */
import { ManualClock } from '../../src/core/clock.js';
import type { EngineSnapshot } from '../../src/core/engine-api.js';
import { runDashboard } from '../../src/ui/run-dashboard.js';
import { FakeEngine, sampleSnapshot } from '../helpers/fake-engine.js';
import { FakeProcessEvents, FakeTtyIn, FakeTtyOut, tick, until } from './tty-fakes.js';

export interface HarnessOptions {
  readonly snapshot?: EngineSnapshot;
  readonly columns?: number;
  readonly rows?: number;
  readonly env?: Record<string, string | undefined>;
}

export async function startDashboard(opts: HarnessOptions = {}) {
  const engine = new FakeEngine(opts.snapshot ?? sampleSnapshot());
  const out = new FakeTtyOut(opts.columns ?? 80, opts.rows ?? 24);
  const input = new FakeTtyIn();
  const events = new FakeProcessEvents();
  const clock = new ManualClock();
  const stderrText: string[] = [];
  /** Whether the screen was already restored when each stderr write happened. */
  const stderrAfterRestore: boolean[] = [];
  const stderr = {
    write(s: string) {
      stderrText.push(s);
      stderrAfterRestore.push(!out.screen.altScreen);
      return true;
    },
  };
  const exits: number[] = [];
  let code: number | undefined;
  const done = runDashboard(engine, {
    stdout: out as never,
    stdin: input as never,
    stderr,
    events,
    clock,
    env: opts.env ?? {},
    onExit: (c) => exits.push(c),
  }).then((c) => {
    code = c;
    return c;
  });
  await until(() => out.screen.text().includes('Peers') || out.screen.text().includes('too small'), 'the first frame');

  return {
    engine,
    out,
    input,
    events,
    clock,
    exits,
    stderrText,
    stderrAfterRestore,
    done,
    get code() {
      return code;
    },
    screen: () => out.screen.text(),
    /** Let time pass on the manual clock (paint interval, throttled store) and React settle. */
    advance: async (ms = 100): Promise<void> => {
      clock.advance(ms);
      await tick();
    },
    press: async (...keys: string[]): Promise<void> => {
      for (const k of keys) {
        input.write(k);
        await tick();
        clock.advance(100);
        await tick();
      }
    },
  };
}

export type Harness = Awaited<ReturnType<typeof startDashboard>>;

export const LEAVE_MARK = '\x1b[?1049l';
