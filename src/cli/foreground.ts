/**
 * May this process ask a question on its terminal? Only when standard input is
 * a terminal and this process is in that terminal's foreground process group:
 * a background job that reads its terminal is stopped by the shell (SIGTTIN),
 * and then serves nobody, not even its control socket.
 *
 * Node has no tcgetpgrp(), so: on Linux, fields 5 (pgrp) and 8 (tpgid, the
 * terminal's foreground group) of /proc/self/stat; elsewhere `ps -o pgid=,tpgid=`.
 * When neither answers, we do not know, and do not prompt.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** pgrp and tpgid from the text of /proc/<pid>/stat (comm may hold spaces and ')'). */
export function parseProcStatGroups(stat: string): { pgrp: number; tpgid: number } | undefined {
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  // After "pid (comm) ": state(3) ppid(4) pgrp(5) session(6) tty_nr(7) tpgid(8)
  const f = stat.slice(close + 2).split(' ');
  const pgrp = Number(f[2]);
  const tpgid = Number(f[5]);
  return Number.isInteger(pgrp) && Number.isInteger(tpgid) && f[2] !== '' && f[5] !== '' ? { pgrp, tpgid } : undefined;
}

function groups(): { pgrp: number; tpgid: number } | undefined {
  if (process.platform === 'linux') {
    try {
      return parseProcStatGroups(readFileSync('/proc/self/stat', 'utf8'));
    } catch {
      return undefined;
    }
  }
  if (process.platform === 'win32') return undefined;
  try {
    const r = spawnSync('ps', ['-o', 'pgid=,tpgid=', '-p', String(process.pid)], { encoding: 'utf8', timeout: 1000 });
    const m = /^\s*(\d+)\s+(-?\d+)\s*$/.exec(r.stdout ?? '');
    return m ? { pgrp: Number(m[1]), tpgid: Number(m[2]) } : undefined;
  } catch {
    return undefined;
  }
}

/** True only when we know we are the terminal's foreground process group. */
export function inForeground(): boolean {
  const g = groups();
  return g !== undefined && g.tpgid > 0 && g.pgrp === g.tpgid;
}

/** Standard input is a terminal and we are in its foreground: prompting is safe. */
export function canPromptOnTerminal(stdin: { isTTY?: boolean } = process.stdin): boolean {
  return stdin.isTTY === true && inForeground();
}
