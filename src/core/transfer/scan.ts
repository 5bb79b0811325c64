/**
 * What the sender offers: the files and folders under the given sources, with
 * their relative structure, checked before anything goes out.
 *
 * Rules (reliability.md X3, X4; issue 4 "sending a folder safely"):
 * - A source named by the user is taken as given: a symlink there is followed
 *   once (the user pointed at it). Inside a folder, symlinks are never
 *   followed: they are skipped and reported, so nothing outside the folder is
 *   ever sent and a link loop cannot trap the walk.
 * - Only regular files and folders are sent; FIFOs, sockets and devices are
 *   skipped and reported. Unreadable folders are reported too.
 * - Every folder is listed (so empty ones arrive), files in walk order (names
 *   sorted), paths `/`-separated and NFC.
 * - The whole set goes through validatePathSet: two names equal after NFC, a
 *   file where a folder is needed, or any name the receiver would refuse stops
 *   the offer here with ERR_BAD_PATH and the rule broken.
 * - Caps (ERR_OFFER_TOO_LARGE): entries, depth and total bytes, checked while
 *   walking, so a huge tree is refused without walking all of it.
 */
import type { Dirent, Stats } from 'node:fs';
import { lstat, opendir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { MAX_OFFER_ENTRIES, MAX_OFFER_TOTAL_BYTES } from '../../protocol/messages/transfer.js';
import { BadPathError, MAX_PATH_DEPTH, validatePathSet } from '../../protocol/path-validator.js';
import { EngineError } from '../errors.js';
import { errnoCode } from './fs-ops.js';

/** What identifies a source file's content for change detection and the hash cache. */
export interface SourceStat {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
  readonly dev: number;
}

export interface ScannedFile extends SourceStat {
  /** Offered path: relative, `/`-separated, NFC. */
  readonly rel: string;
  /** Absolute local path. */
  readonly abs: string;
}

export type SkipReason = 'symlink' | 'special' | 'unreadable';

export interface ScanResult {
  readonly files: ScannedFile[];
  /** Every folder, parents before children. */
  readonly dirs: string[];
  /** Entries left out, with why (shown to the user). */
  readonly skipped: Array<{ readonly path: string; readonly reason: SkipReason }>;
  readonly totalBytes: number;
  /** Each top-level name → the local path it came from. */
  readonly roots: Record<string, string>;
}

export interface ScanLimits {
  readonly maxEntries: number;
  readonly maxDepth: number;
  readonly maxTotalBytes: number;
}

export const DEFAULT_SCAN_LIMITS: ScanLimits = {
  maxEntries: MAX_OFFER_ENTRIES,
  maxDepth: MAX_PATH_DEPTH,
  maxTotalBytes: MAX_OFFER_TOTAL_BYTES,
};

export function statOf(s: Stats): SourceStat {
  return { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino, dev: s.dev };
}

export function sameStat(a: SourceStat, b: SourceStat): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino && a.dev === b.dev;
}

class Walk {
  readonly files: ScannedFile[] = [];
  readonly dirs: string[] = [];
  readonly skipped: Array<{ path: string; reason: SkipReason }> = [];
  readonly roots: Record<string, string> = {};
  totalBytes = 0;

  constructor(private readonly limits: ScanLimits) {}

  count(rel: string): void {
    if (this.files.length + this.dirs.length >= this.limits.maxEntries) {
      throw new EngineError('ERR_OFFER_TOO_LARGE', `more than ${this.limits.maxEntries} files and folders (at ${rel})`, 'usage');
    }
    const depth = rel.split('/').length;
    if (depth > this.limits.maxDepth) {
      throw new EngineError('ERR_OFFER_TOO_LARGE', `folders nested deeper than ${this.limits.maxDepth} levels (at ${rel})`, 'usage');
    }
  }

  addFile(rel: string, abs: string, s: Stats): void {
    this.count(rel);
    this.totalBytes += s.size;
    if (this.totalBytes > this.limits.maxTotalBytes) {
      throw new EngineError('ERR_OFFER_TOO_LARGE', `more than ${this.limits.maxTotalBytes} bytes in one offer`, 'usage');
    }
    this.files.push({ rel, abs, ...statOf(s) });
  }

  async addDir(rel: string, abs: string): Promise<void> {
    this.count(rel);
    this.dirs.push(rel);
    let entries: Dirent[];
    try {
      entries = [];
      for await (const e of await opendir(abs)) entries.push(e);
    } catch (err) {
      this.skipped.push({ path: abs, reason: 'unreadable' });
      if (errnoCode(err) === 'EACCES' || errnoCode(err) === 'EPERM') return;
      throw new EngineError('ERR_BAD_SOURCE', `cannot read folder ${abs}: ${errnoCode(err) ?? String(err)}`, 'local', { cause: err });
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const childAbs = path.join(abs, e.name);
      const childRel = `${rel}/${e.name.normalize('NFC')}`;
      if (e.isSymbolicLink()) this.skipped.push({ path: childAbs, reason: 'symlink' });
      else if (e.isDirectory()) await this.addDir(childRel, childAbs);
      else if (e.isFile()) this.addFile(childRel, childAbs, await lstat(childAbs));
      else if (e.isFIFO() || e.isSocket() || e.isBlockDevice() || e.isCharacterDevice()) this.skipped.push({ path: childAbs, reason: 'special' });
      else await this.addUnknown(childRel, childAbs); // DT_UNKNOWN on some file systems
    }
  }

  private async addUnknown(rel: string, abs: string): Promise<void> {
    const s = await lstat(abs);
    if (s.isSymbolicLink()) this.skipped.push({ path: abs, reason: 'symlink' });
    else if (s.isDirectory()) await this.addDir(rel, abs);
    else if (s.isFile()) this.addFile(rel, abs, s);
    else this.skipped.push({ path: abs, reason: 'special' });
  }
}

/** Scan the sources (files and/or folders). Throws EngineError: ERR_BAD_SOURCE, ERR_BAD_PATH, ERR_OFFER_TOO_LARGE. */
export async function scanSources(sources: readonly string[], limits: ScanLimits = DEFAULT_SCAN_LIMITS): Promise<ScanResult> {
  if (sources.length === 0) throw new EngineError('ERR_BAD_SOURCE', 'nothing to send: no paths given', 'usage');
  const walk = new Walk(limits);
  for (const source of sources) {
    const given = path.resolve(source);
    const name = path.basename(given).normalize('NFC');
    let s: Stats;
    let abs: string;
    try {
      abs = await realpath(given); // the user named it: follow a link here, once, and read from where it leads
      s = await stat(abs);
    } catch (err) {
      const code = errnoCode(err);
      const what = code === 'ENOENT' ? 'does not exist' : code === 'ELOOP' ? 'is a symlink loop' : `cannot be read (${code ?? String(err)})`;
      throw new EngineError('ERR_BAD_SOURCE', `${source} ${what}`, 'usage', { cause: err });
    }
    walk.roots[name] = abs;
    if (s.isDirectory()) await walk.addDir(name, abs);
    else if (s.isFile()) walk.addFile(name, abs, s);
    else walk.skipped.push({ path: abs, reason: 'special' });
  }
  if (walk.files.length === 0 && walk.dirs.length === 0) {
    throw new EngineError('ERR_BAD_SOURCE', 'nothing to send: only special files or links were given', 'usage');
  }
  try {
    validatePathSet(
      walk.files.map((f) => f.rel),
      walk.dirs,
    );
  } catch (err) {
    if (err instanceof BadPathError) {
      throw new EngineError('ERR_BAD_PATH', `cannot offer: ${err.message}`, 'usage', { cause: err });
    }
    throw err;
  }
  return { files: walk.files, dirs: walk.dirs, skipped: walk.skipped, totalBytes: walk.totalBytes, roots: walk.roots };
}
