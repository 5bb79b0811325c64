/**
 * Receiver: putting files into the downloads folder without ever writing
 * outside it, following a link planted in it, or replacing anything
 * (reliability.md §0 finding 3, N9, X1, X5; §6 promises 1 and 2).
 *
 * - The downloads folder itself is resolved once (realpath: the user may keep
 *   it behind a symlink on purpose); below it nothing is ever followed.
 * - Folders are made one component at a time with mkdir (which never follows
 *   a link), and an existing component is accepted only if lstat says it is a
 *   real directory.
 * - Files are published with link(), which fails on any existing name, even a
 *   dangling symlink; a taken name becomes `name (1).ext`, `name (2).ext`, …
 *   Where the file system has no hard links, an exclusive copy does the same.
 */
import { constants as fsc } from 'node:fs';
import { copyFile, link, lstat, mkdir, open, realpath, statfs } from 'node:fs/promises';
import path from 'node:path';
import { EngineError } from '../errors.js';
import { SPACE_RESERVE_FRACTION, SPACE_RESERVE_MIN_BYTES } from './constants.js';
import { errnoCode } from './fs-ops.js';

/** Most ` (n)` suffixes tried before giving up on a name. */
const MAX_SUFFIX = 9999;
/** Longest file name (bytes) on Linux and macOS. */
const NAME_MAX_BYTES = 255;
/** Extensions kept whole when numbering (`x (1).tar.gz`, not `x.tar (1).gz`). */
const DOUBLE_EXTENSIONS = ['.tar.gz', '.tar.bz2', '.tar.xz', '.tar.zst', '.tar.lz', '.tar.lzma'];

function splitExtension(name: string): [string, string] {
  const lower = name.toLowerCase();
  for (const ext of DOUBLE_EXTENSIONS) {
    if (lower.endsWith(ext) && name.length > ext.length) return [name.slice(0, -ext.length), name.slice(-ext.length)];
  }
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return [name, '']; // no extension, or a dotfile like `.bashrc`
  return [name.slice(0, dot), name.slice(dot)];
}

/** Cut `s` to at most `maxBytes` of UTF-8 without splitting a character. */
function truncateUtf8(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s) <= maxBytes) return s;
  let out = '';
  let bytes = 0;
  for (const ch of s) {
    const b = Buffer.byteLength(ch);
    if (bytes + b > maxBytes) break;
    out += ch;
    bytes += b;
  }
  return out;
}

/** `name` with ` (n)` before its extension (n ≥ 1), shortened by bytes if needed to stay a legal name. */
export function suffixedName(name: string, n: number): string {
  if (n === 0) return name;
  const [stem, ext] = splitExtension(name);
  const tag = ` (${n})`;
  const room = NAME_MAX_BYTES - Buffer.byteLength(tag) - Buffer.byteLength(ext);
  if (room <= 0) return truncateUtf8(`${truncateUtf8(stem, 16)}${tag}`, NAME_MAX_BYTES); // an absurdly long extension: drop it
  return `${truncateUtf8(stem, room)}${tag}${ext}`;
}

const unsafe = (what: string): EngineError => new EngineError('ERR_UNSAFE_PATH', what, 'local');

/** Create the downloads folder if needed and return its real path. */
export async function resolveDownloads(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  return realpath(dir);
}

/** Require `dir` to be a real directory (not a link to one). */
async function requireRealDir(dir: string): Promise<void> {
  const s = await lstat(dir);
  if (s.isSymbolicLink()) throw unsafe(`${dir} is a symlink; refusing to follow it`);
  if (!s.isDirectory()) throw unsafe(`${dir} is not a folder`);
}

/**
 * `parent/name` as a private (0700) directory of ours: created if missing; if
 * something is there already it must be a real directory owned by us.
 */
export async function ensurePrivateDir(parent: string, name: string): Promise<string> {
  const dir = path.join(parent, name);
  try {
    await mkdir(dir, { mode: 0o700 });
  } catch (err) {
    if (errnoCode(err) !== 'EEXIST') throw err;
    await requireRealDir(dir);
    const s = await lstat(dir);
    if (typeof process.getuid === 'function' && s.uid !== process.getuid()) throw unsafe(`${dir} belongs to another user`);
    if ((s.mode & 0o077) !== 0) throw unsafe(`${dir} is open to other users (mode ${(s.mode & 0o777).toString(8)})`);
  }
  return dir;
}

/** Make `root/rel` (rel `/`-separated) one component at a time, never through a link. */
export async function ensureDirChain(root: string, rel: string): Promise<void> {
  let dir = root;
  for (const part of rel.split('/')) {
    dir = path.join(dir, part);
    try {
      await mkdir(dir, { mode: 0o755 });
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
      await requireRealDir(dir);
    }
  }
}

/** Just before a link: every component of `root/relDir` is still a real directory (X5: a folder swapped for a link). */
export async function assertRealDirChain(root: string, relDir: string): Promise<void> {
  await requireRealDir(root);
  let dir = root;
  for (const part of relDir === '' ? [] : relDir.split('/')) {
    dir = path.join(dir, part);
    await requireRealDir(dir);
  }
}

/** Create a new folder `parent/name`, or `name (1)`, … if the name is taken by anything. Returns the name used. */
export async function mkdirFresh(parent: string, name: string): Promise<string> {
  for (let n = 0; n <= MAX_SUFFIX; n++) {
    const candidate = suffixedName(name, n);
    try {
      await mkdir(path.join(parent, candidate), { mode: 0o755 });
      return candidate;
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
    }
  }
  throw new EngineError('ERR_IO', `no free name for ${name} in ${parent}`, 'local');
}

const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'EMLINK', 'ENOSYS']);

/**
 * Publish `src` as `parent/name`, or `name (1)`, … — never replacing
 * anything. Returns the name used. `src` is left in place (the caller unlinks it).
 */
export async function linkFresh(src: string, parent: string, name: string): Promise<string> {
  let copy = false;
  for (let n = 0; n <= MAX_SUFFIX; n++) {
    const candidate = suffixedName(name, n);
    const dest = path.join(parent, candidate);
    try {
      if (copy) await copyExclusive(src, dest);
      else await link(src, dest);
      return candidate;
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'EEXIST') continue;
      if (!copy && code && NO_HARD_LINKS.has(code)) {
        copy = true;
        n--; // same name again, by copying
        continue;
      }
      throw err;
    }
  }
  throw new EngineError('ERR_IO', `no free name for ${name} in ${parent}`, 'local');
}

/** Copy to a name that must not exist (O_EXCL: never through a link), then fsync the copy. */
async function copyExclusive(src: string, dest: string): Promise<void> {
  await copyFile(src, dest, fsc.COPYFILE_EXCL);
  const fh = await open(dest, fsc.O_RDONLY | fsc.O_NOFOLLOW);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Free and total bytes of the file system holding `dir` (for an unprivileged user). */
export async function diskSpace(dir: string): Promise<{ free: number; total: number }> {
  const s = await statfs(dir);
  return { free: s.bavail * s.bsize, total: s.blocks * s.bsize };
}

/** Bytes kept free whatever the offers: max(1 %, 64 MiB). */
export function spaceReserve(totalBytes: number): number {
  return Math.max(Math.ceil(totalBytes * SPACE_RESERVE_FRACTION), SPACE_RESERVE_MIN_BYTES);
}
