/**
 * Stop requests for long-running commands: SIGINT / SIGTERM / SIGHUP, and a
 * closed standard output (`peerdeck listen --json | head -1`), which counts as
 * SIGPIPE (141). Node ignores the real SIGPIPE (a peer's socket going away must
 * not stop the engine), so the closed stdout is reported here instead.
 */
import { ExitCode } from './exit-codes.js';

type StopListener = (code: number) => void;
const listeners = new Set<StopListener>();

/** Ask every waiting command to stop with `code` (e.g. stdout closed: 141). */
export function requestStop(code: number): void {
  for (const l of [...listeners]) l(code);
}

/** Call `cb` once, on the first signal or stop request; the returned function unhooks it. */
export function onStop(cb: StopListener): () => void {
  let fired = false;
  const fire = (code: number) => {
    if (fired) return;
    fired = true;
    dispose();
    cb(code);
  };
  const onInt = () => fire(ExitCode.SIGINT);
  const onTerm = () => fire(ExitCode.SIGTERM);
  const onHup = () => fire(ExitCode.SIGHUP);
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  process.on('SIGHUP', onHup);
  listeners.add(fire);
  function dispose() {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    process.off('SIGHUP', onHup);
    listeners.delete(fire);
  }
  return dispose;
}

/** Wait for a signal or stop request; resolves with the exit code it means. */
export function untilSignal(): { done: Promise<number>; dispose(): void } {
  let resolve!: (code: number) => void;
  const done = new Promise<number>((r) => (resolve = r));
  const dispose = onStop((code) => resolve(code));
  return { done, dispose };
}

/**
 * A reader that goes away (EPIPE) is a clean stop, never a crash: later writes
 * are dropped, and waiting commands are asked to stop with 141.
 */
export function stopWhenStdoutCloses(stream: NodeJS.WriteStream = process.stdout): void {
  let closed = false;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (closed) return;
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
    closed = true;
    process.exitCode = ExitCode.SIGPIPE;
    requestStop(ExitCode.SIGPIPE);
  });
}
