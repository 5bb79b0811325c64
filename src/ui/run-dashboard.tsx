/**
 * Runs the full-screen dashboard over an engine until the user leaves, and
 * gives the terminal back exactly as it found it on every way out: `q`,
 * Ctrl-C, SIGINT, SIGTERM, SIGHUP (an SSH link dropping), an error thrown
 * while rendering, an uncaught exception or rejection, and process exit.
 *
 * Exit codes: 0 quit, 1 error, 2 not a terminal, 129 SIGHUP, 130 Ctrl-C or
 * SIGINT, 143 SIGTERM. The caller (cli) passes the code to process.exit.
 */
import type { ReadStream, WriteStream } from 'node:tty';
import type * as InkModule from 'ink';
import type { Instance } from 'ink';
import type { ReactElement } from 'react';
import type * as RootModule from './components/Root.js';
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import type { EngineHandle } from '../core/engine-api.js';
import { FramePainter, MAX_FPS } from './frame-painter.js';
import { createTerminalSession } from './terminal-session.js';
import { themeFromEnv } from './theme.js';
import { throttleStore } from './throttled-store.js';
import type { QuitReason } from './ui-state.js';

export const EXIT_CODES = {
  ok: 0,
  error: 1,
  notTerminal: 2,
  hangup: 129,
  interrupt: 130,
  terminate: 143,
} as const;

/** How long a clean quit waits for the engine to say BYE before leaving anyway. */
export const SHUTDOWN_TIMEOUT_MS = 3000;

/** What runDashboard listens to for signals and crashes; `process` unless a test injects one. */
export interface ProcessEvents {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}

export interface RunDashboardOptions {
  /** Must be a terminal. Default process.stdout. */
  stdout?: WriteStream;
  /** Must be a terminal. Default process.stdin. */
  stdin?: ReadStream;
  /** For the error report after the screen is restored. Default process.stderr. */
  stderr?: Pick<WriteStream, 'write'>;
  /** Called once with the exit code, after the terminal is restored. */
  onExit?: (code: number) => void;
  /** NO_COLOR / TERM lookup. Default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  clock?: Clock;
  /** Signals and crash events. Default process. */
  events?: ProcessEvents;
  shutdownTimeoutMs?: number;
}

const NOT_A_TERMINAL =
  'peerdeck: the dashboard needs a terminal on stdin and stdout.\n' +
  'Use the headless commands instead: peerdeck send | receive | peers | chat | pair | id (add --json for machine-readable output).\n';

const CI_VARS = ['CI', 'CONTINUOUS_INTEGRATION'] as const;

/**
 * Imports Ink (and everything that imports it) with the CI variables hidden.
 * `is-in-ci` reads them once, when first imported (node_modules/is-in-ci/index.js),
 * and chalk's colour support is decided at import the same way. With stdout a
 * terminal we want a terminal's behaviour even inside a CI job (e2e under
 * tmux with CI=true). The painter path does not depend on this (see
 * frame-painter.ts), so an Ink imported earlier in CI mode still draws; this
 * keeps Ink's remaining CI branches and chalk's colour detection honest too.
 */
export async function importInkForTerminal(isTerminal: boolean): Promise<{
  ink: typeof InkModule;
  root: typeof RootModule;
}> {
  const saved = new Map<string, string>();
  if (isTerminal) {
    for (const k of CI_VARS) {
      const v = process.env[k];
      if (v !== undefined) {
        saved.set(k, v);
        delete process.env[k];
      }
    }
  }
  try {
    const [ink, root] = await Promise.all([import('ink'), import('./components/Root.js')]);
    return { ink, root };
  } finally {
    for (const [k, v] of saved) process.env[k] = v;
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}

export async function runDashboard(engine: EngineHandle, opts: RunDashboardOptions = {}): Promise<number> {
  const stdout = opts.stdout ?? process.stdout;
  const stdin = opts.stdin ?? process.stdin;
  const stderr = opts.stderr ?? process.stderr;
  const clock = opts.clock ?? systemClock;
  const events: ProcessEvents = opts.events ?? process;
  const shutdownTimeoutMs = opts.shutdownTimeoutMs ?? SHUTDOWN_TIMEOUT_MS;

  if (!stdout.isTTY || !stdin.isTTY) {
    stderr.write(NOT_A_TERMINAL);
    opts.onExit?.(EXIT_CODES.notTerminal);
    return EXIT_CODES.notTerminal;
  }

  const { ink, root } = await importInkForTerminal(true);
  const theme = themeFromEnv(opts.env ?? process.env);
  const session = createTerminalSession(stdout, stdin);
  const painter = new FramePainter(stdout, clock, Math.ceil(1000 / MAX_FPS));
  const store = throttleStore(engine, clock);
  const env = { engine, store, clock };

  let resolveExit: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => (resolveExit = resolve));
  let finishing = false;
  let tornDown = false;
  const listeners: Array<[string, (...args: unknown[]) => void]> = [];
  let instance: Instance | undefined;

  const teardown = (): void => {
    if (tornDown) return;
    tornDown = true;
    painter.close();
    for (const [event, fn] of listeners) events.off(event, fn);
    stdout.off('resize', onResize);
    try {
      instance?.unmount();
    } catch {
      // already unmounted
    }
    store.dispose();
    session.restore();
  };

  /**
   * Let go of the engine. An engine in this process is shut down whatever the
   * way out. An attached (remote) engine is stopped only when the user quit
   * with q; every other way out (d, Ctrl-C, a signal, the SSH link dropping,
   * a crash) detaches and leaves it running with its transfers.
   */
  const shutdownEngine = async (stopEngine: boolean): Promise<void> => {
    let timer: ReturnType<Clock['setTimeout']> | undefined;
    const timeout = new Promise<void>((resolve) => (timer = clock.setTimeout(resolve, shutdownTimeoutMs)));
    const release = stopEngine || !engine.detach ? engine.shutdown() : engine.detach();
    try {
      await Promise.race([release.catch(() => undefined), timeout]);
    } finally {
      clock.clearTimeout(timer);
    }
  };

  /**
   * Leave. `graceful`: keep the dashboard up ("Closing…") while the engine
   * says goodbye, then restore. Otherwise restore first — the terminal may be
   * gone or the process broken — and then try to shut the engine down.
   */
  const finish = (code: number, graceful: boolean, error?: unknown, stopEngine = false): void => {
    if (finishing) {
      // A second Ctrl-C while closing: leave now.
      if (code === EXIT_CODES.interrupt && !tornDown) teardown();
      return;
    }
    finishing = true;
    void (async () => {
      if (graceful) {
        painter.flush();
        await shutdownEngine(stopEngine);
        teardown();
      } else {
        teardown();
        if (error !== undefined) stderr.write(`peerdeck: ${describe(error)}\n`);
        await shutdownEngine(stopEngine);
      }
      opts.onExit?.(code);
      resolveExit(code);
    })();
  };

  const onQuit = (reason: QuitReason): void => {
    if (reason === 'force') {
      if (!tornDown) teardown();
      finish(EXIT_CODES.interrupt, false);
      return;
    }
    if (reason === 'detach') {
      finish(EXIT_CODES.ok, true);
      return;
    }
    finish(reason === 'quit' ? EXIT_CODES.ok : EXIT_CODES.interrupt, true, undefined, reason === 'quit');
  };

  const listen = (event: string, fn: (...args: unknown[]) => void): void => {
    events.on(event, fn);
    listeners.push([event, fn]);
  };
  listen('SIGTERM', () => finish(EXIT_CODES.terminate, false));
  listen('SIGHUP', () => finish(EXIT_CODES.hangup, false));
  listen('SIGINT', () => finish(EXIT_CODES.interrupt, false));
  listen('uncaughtException', (err) => finish(EXIT_CODES.error, false, err));
  listen('unhandledRejection', (err) => finish(EXIT_CODES.error, false, err));
  // Last resort when something calls process.exit behind our back: synchronous restore only.
  listen('exit', () => teardown());

  const element = (): ReactElement => (
    <root.Root env={env} theme={theme} columns={painter.columns} rows={painter.rows} onQuit={onQuit} />
  );
  const onResize = (): void => {
    if (tornDown) return;
    painter.invalidate();
    instance?.rerender(element());
  };

  // After a hang-up, writes and reads fail asynchronously (EIO/EPIPE), some of them after
  // we are done (the final restore). An 'error' event with no listener would crash the
  // process, so these listeners stay: during the session they mean "the terminal is gone".
  const onStreamError = (): void => finish(EXIT_CODES.hangup, false);
  stdout.on('error', onStreamError);
  stdin.on('error', onStreamError);

  session.enter();
  stdout.on('resize', onResize);
  try {
    instance = ink.render(element(), {
      stdout: painter as unknown as WriteStream,
      stdin,
      stderr: stderr as WriteStream,
      // Each frame goes to the painter whole; the painter rate-limits to MAX_FPS
      // and writes only changed rows (see frame-painter.ts for why not Ink's own path).
      debug: true,
      exitOnCtrlC: false,
      patchConsole: false,
    });
    instance.waitUntilExit().then(
      () => undefined,
      (err: unknown) => finish(EXIT_CODES.error, false, err),
    );
  } catch (err) {
    finish(EXIT_CODES.error, false, err);
  }
  return exited;
}
