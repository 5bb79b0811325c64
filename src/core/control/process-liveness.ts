import { readFileSync } from 'node:fs';

/**
 * Is there a process with this pid? `kill(pid, 0)` sends nothing: ESRCH means
 * no such process; EPERM means it exists but belongs to someone else.
 *
 * Only positive pids are accepted: 0 and negative pids address process groups.
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * An opaque token for when `pid` was started (Linux: field 22 of
 * /proc/<pid>/stat, clock ticks since boot), or undefined where unknown.
 * Two different processes that reuse one pid have different tokens, which
 * lets a lock tell a recycled pid from its original holder.
 */
export function processStartToken(pid: number): string | undefined {
  if (process.platform !== 'linux' || !Number.isSafeInteger(pid) || pid <= 0) return undefined;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Field 2 (comm) is parenthesised and may itself contain spaces or ')'.
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = stat.slice(close + 2).split(' ');
  // fields[0] is field 3 (state), so field 22 (starttime) is fields[19].
  const start = fields[19];
  return start !== undefined && /^\d+$/.test(start) ? start : undefined;
}
