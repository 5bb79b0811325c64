/** Temp trees, deterministic file content, and tree hashing for the transfer tests. */
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const made: string[] = [];

export function tempDir(prefix = 'peerdeck-xfer-'): string {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(d);
  return d;
}

export function cleanupTempDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** `n` bytes of seeded pseudo-random data (xorshift; fast enough for tens of MiB). */
export function pseudoRandom(n: number, seed = 1): Buffer {
  const b = Buffer.allocUnsafe(n);
  let s = seed >>> 0 || 1;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    b.writeUInt32LE(s, i);
  }
  for (; i < n; i++) b[i] = (s >>> (8 * (i & 3))) & 0xff;
  return b;
}

export function writeFile(file: string, data: Buffer | string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, data);
  return file;
}

/** Size of `file`, 0 if it does not exist (yet). */
export function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

export const sha256File = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/**
 * Every entry under `root` (not following links) with its type and content
 * hash (files) or target (links): a snapshot to compare before and after.
 */
export function treeSnapshot(root: string, skip: (rel: string) => boolean = () => false): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (skip(r)) continue;
      const abs = path.join(dir, name);
      const s = lstatSync(abs);
      if (s.isSymbolicLink()) out[r] = `link:${readlinkSync(abs)}`;
      else if (s.isDirectory()) {
        out[r] = `dir:${(s.mode & 0o7777).toString(8)}`;
        walk(abs, r);
      } else out[r] = `file:${(s.mode & 0o7777).toString(8)}:${sha256File(abs)}`;
    }
  };
  walk(root, '');
  return out;
}
