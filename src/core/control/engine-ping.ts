/**
 * A running engine that holds the lock but does not answer (a background job
 * stopped by its shell for reading the terminal, a hung process) would make
 * every command wait forever. Ask it for its status first, with a deadline.
 */
import { readFileSync } from 'node:fs';
import { EngineError } from '../errors.js';
import type { ControlClient } from './control-client.js';

/** Linux: is `pid` stopped (state T, stopped by a signal such as SIGTTIN / SIGTSTP)? */
export function isProcessStopped(pid: number): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'T';
  } catch {
    return false;
  }
}

export async function pingEngine(client: ControlClient, holderPid: number | undefined, socketPath: string, timeoutMs = 3000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  try {
    const r = await Promise.race([client.call('status').then(() => 'ok' as const), deadline]);
    if (r === 'ok') return;
  } finally {
    clearTimeout(timer);
  }
  const who = holderPid ? `the engine (pid ${holderPid})` : 'the engine';
  const why =
    holderPid && isProcessStopped(holderPid)
      ? ` It is stopped (a background job that read the terminal?): run 'fg', or 'kill -CONT ${holderPid}'.`
      : '';
  throw new EngineError('ERR_ENGINE_LOCKED', `${who} does not answer on ${socketPath} within ${timeoutMs / 1000} s.${why}`, 'retryable');
}
