/**
 * Start this identity's engine as a detached background process (`peerdeck daemon
 * --foreground` in its own session, stdin from /dev/null, output to the capped log)
 * and wait until it listens or says why it cannot. Used by `peerdeck daemon` and by
 * bare `peerdeck`, which attaches a dashboard to the engine it starts (the tmux model).
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { ExitCode } from './exit-codes.js';
import { prepareConfigDir } from '../core/config-dir.js';
import { daemonLogPath, rotateIfFull } from '../core/daemon/daemon-log.js';
import { EngineError } from '../core/errors.js';

/** How long a start waits for the background engine to listen. */
export const DAEMON_START_TIMEOUT_MS = 30_000;

/** What the detached child tells its parent over the IPC channel. */
export type DaemonReport = { type: 'ready'; pid: number; listening: string } | { type: 'failed'; code: string; message: string; exitCode: number };

export interface DaemonStarted {
  pid: number;
  listening: string;
  configDir: string;
  log: string;
}

/**
 * `globalArgs` are the command line's global flags (config dir, name, port…), passed on
 * to the child as `daemon … --foreground`. Throws an EngineError with the child's code
 * and reason when it does not come up.
 */
export async function spawnDaemon(configDir: string | undefined, globalArgs: readonly string[]): Promise<DaemonStarted> {
  const paths = await prepareConfigDir(configDir);
  const logFile = daemonLogPath(paths.root);
  rotateIfFull(logFile);
  const fd = openSync(logFile, 'a', 0o600);
  const args = [...process.execArgv, process.argv[1]!, 'daemon', ...globalArgs, '--foreground'];
  const child = spawn(process.execPath, args, {
    detached: true, // its own session and process group: a terminal's hangup never reaches it
    stdio: ['ignore', fd, fd, 'ipc'],
    env: { ...process.env, PEERDECK_DAEMON_LOG: logFile },
  });
  closeSync(fd);
  const outcome = await new Promise<DaemonReport | { type: 'exited'; code: number | null; signal: string | null } | { type: 'timeout' }>((resolve) => {
    const timer = setTimeout(() => resolve({ type: 'timeout' }), DAEMON_START_TIMEOUT_MS);
    const done = (r: Parameters<typeof resolve>[0]) => {
      clearTimeout(timer);
      resolve(r);
    };
    child.once('message', (m) => done(m as DaemonReport));
    child.once('exit', (code, signal) => done({ type: 'exited', code, signal }));
    child.once('error', (err) => done({ type: 'failed', code: 'ERR_DAEMON', message: err.message, exitCode: ExitCode.RUNTIME }));
  });
  if (outcome.type === 'ready') {
    child.disconnect();
    child.unref();
    return { pid: outcome.pid, listening: outcome.listening, configDir: paths.root, log: logFile };
  }
  if (outcome.type === 'timeout') child.kill('SIGTERM');
  else if (child.connected) child.disconnect();
  child.unref();
  if (outcome.type === 'failed') throw Object.assign(new EngineError('ERR_INTERNAL', outcome.message), { code: outcome.code });
  const tail = readTail(logFile);
  throw new EngineError(
    'ERR_INTERNAL',
    outcome.type === 'timeout'
      ? `the daemon did not start listening within ${DAEMON_START_TIMEOUT_MS / 1000} s (log: ${logFile})`
      : `the daemon exited before it listened (${outcome.signal ?? `exit ${outcome.code}`}); log ${logFile}${tail ? `:\n${tail}` : ''}`,
  );
}

function readTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-5).join('\n');
  } catch {
    return '';
  }
}
