/**
 * Checks on local paths the user typed (the dashboard can't touch the file
 * system itself): exists, readable, file or folder; and Tab completion.
 */
import { constants } from 'node:fs';
import { access, lstat, readdir, stat } from 'node:fs/promises';
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
  if (!st.isDirectory()) return { ok: true, kind: 'file', size: st.size };
  const tally = await tallyFolder(p);
  return tally ? { ok: true, kind: 'folder', size: tally.size, files: tally.files } : { ok: true, kind: 'folder', size: 0 };
}

/** A folder with more entries than this is not counted while the user types. */
export const MAX_TALLY_ENTRIES = 20_000;

/**
 * Regular files under `root` and their total size, not following symbolic
 * links; undefined when there are more than `limit` entries.
 */
export async function tallyFolder(root: string, limit = MAX_TALLY_ENTRIES): Promise<{ files: number; size: number } | undefined> {
  let files = 0;
  let size = 0;
  let seen = 0;
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop() as string;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      continue; // unreadable subfolder: the send reports it; here we count what we can
    }
    seen += entries.length;
    if (seen > limit) return undefined;
    for (const e of entries) {
      const full = join(dir, e.name);
      if (e.isDirectory()) stack.push(full);
      else if (e.isFile()) {
        try {
          size += (await lstat(full)).size;
          files++;
        } catch {
          // vanished meanwhile
        }
      }
    }
  }
  return { files, size };
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
