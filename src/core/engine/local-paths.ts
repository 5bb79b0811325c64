/**
 * Checks on local paths the user typed (the dashboard can't touch the file
 * system itself): exists, readable, file or folder; and Tab completion.
 */
import { constants } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { PathCheck } from '../engine-api.js';

/** Most completion candidates returned for one Tab. */
const MAX_COMPLETIONS = 50;

export function expandHome(p: string): string {
  if (p === '~') return homedir();
  if (p.startsWith(`~${sep}`) || p.startsWith('~/')) return join(homedir(), p.slice(2));
  return p;
}

export async function checkLocalPath(input: string): Promise<PathCheck> {
  const text = input.trim();
  if (!text) return { ok: false, reason: 'type a path to a file or folder' };
  const p = resolve(expandHome(text));
  let st;
  try {
    st = await stat(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, reason: `no such file or folder: ${text}` };
    if (code === 'EACCES') return { ok: false, reason: `permission denied: ${text}` };
    return { ok: false, reason: `cannot use ${text}: ${code ?? String(err)}` };
  }
  if (!st.isFile() && !st.isDirectory()) return { ok: false, reason: `${text} is not a regular file or folder` };
  try {
    await access(p, st.isDirectory() ? constants.R_OK | constants.X_OK : constants.R_OK);
  } catch {
    return { ok: false, reason: `not readable: ${text}` };
  }
  return { ok: true, kind: st.isDirectory() ? 'folder' : 'file', size: st.isDirectory() ? 0 : st.size };
}

/** Candidates that extend `partial` (folders end with a separator), sorted. */
export async function completeLocalPath(partial: string): Promise<string[]> {
  const expanded = expandHome(partial || '.' + sep);
  const endsWithSep = expanded.endsWith(sep);
  const folder = endsWithSep ? expanded : dirname(expanded);
  const prefix = endsWithSep ? '' : basename(expanded);
  let entries;
  try {
    entries = await readdir(resolve(folder), { withFileTypes: true });
  } catch {
    return [];
  }
  const shownFolder = endsWithSep ? partial : partial.slice(0, partial.length - prefix.length);
  return entries
    .filter((e) => e.name.startsWith(prefix) && (prefix.startsWith('.') || !e.name.startsWith('.')))
    .map((e) => shownFolder + e.name + (e.isDirectory() ? sep : ''))
    .sort()
    .slice(0, MAX_COMPLETIONS);
}
