/**
 * Receiver: the publish phase. Runs once every file of a transfer is verified
 * and fsynced in the partial dir, so a failed or cancelled transfer never has
 * anything under a final name. Top-level folders of the offer get a fresh
 * name (`photos`, else `photos (1)`, …): nothing below them can collide with
 * or lead through anything already in the downloads folder. Each file is
 * linked (never renamed over a name) after re-checking that its folders are
 * still real directories, journalled, then its temp name unlinked; touched
 * folders are fsynced last. A crash in the middle resumes from the journal:
 * a file already linked but not journalled is found again by its inode.
 */
import { lstat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { syncDir } from '../../store/durable-fs.js';
import { PUBLISH_CONCURRENCY } from './constants.js';
import { errnoCode } from './fs-ops.js';
import { assertRealDirChain, ensureDirChain, linkFresh, mkdirFresh, suffixedName } from './landing.js';

export interface PublishJob {
  readonly downloads: string;
  readonly files: readonly { readonly path: string }[];
  readonly dirs: readonly string[];
  partPath(i: number): string;
  /** Top-level names already created (from the journal), updated as folders are made. */
  readonly tops: Map<string, string>;
  /** Files already published (from the journal), updated as files are linked. */
  readonly published: Map<number, string>;
  recordTop(name: string, as: string): Promise<void>;
  recordPublished(file: number, at: string): Promise<void>;
}

const topOf = (p: string): string => p.split('/')[0]!;

/** Where an offered path lands, relative to downloads, once its top-level folder is mapped. */
function mapped(job: PublishJob, p: string): string {
  const slash = p.indexOf('/');
  const as = job.tops.get(slash < 0 ? p : p.slice(0, slash));
  if (as === undefined) return p; // a top-level file
  return slash < 0 ? as : `${as}${p.slice(slash)}`;
}

/** `rel` and every folder above it, up to '' (the downloads folder): the folders whose entries a publish changes. */
function withAncestors(rel: string, into: Set<string>): void {
  for (let d = rel; d !== '' && !into.has(d); d = dirOf(d)) into.add(d);
  into.add('');
}

const dirOf = (rel: string): string => (rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '');

/** Publish every file and folder; returns each file's final path, relative to downloads, in offer order. */
export async function publish(job: PublishJob): Promise<string[]> {
  // Top-level folders: any name with a `/` below it, or an offered folder.
  const topDirs = new Set<string>(job.dirs.map(topOf));
  for (const f of job.files) if (f.path.includes('/')) topDirs.add(topOf(f.path));
  for (const top of topDirs) {
    if (job.tops.has(top)) continue;
    const as = await mkdirFresh(job.downloads, top);
    job.tops.set(top, as);
    await job.recordTop(top, as);
  }
  const touched = new Set<string>();
  for (const d of job.dirs) {
    const rel = mapped(job, d);
    await ensureDirChain(job.downloads, rel);
    withAncestors(dirOf(rel), touched);
  }
  const ensured = new Set<string>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < job.files.length) {
      const i = next++;
      if (job.published.has(i)) continue;
      const rel = mapped(job, job.files[i]!.path);
      const parent = dirOf(rel);
      if (parent && !ensured.has(parent)) {
        await ensureDirChain(job.downloads, parent);
        ensured.add(parent);
      }
      await assertRealDirChain(job.downloads, parent);
      const parentAbs = path.join(job.downloads, parent);
      const base = rel.slice(rel.lastIndexOf('/') + 1);
      const part = job.partPath(i);
      const name = (await alreadyLinked(part, parentAbs, base)) ?? (await linkFresh(part, parentAbs, base));
      const at = parent ? `${parent}/${name}` : name;
      await job.recordPublished(i, at);
      job.published.set(i, at);
      await unlink(part).catch((err: unknown) => {
        if (errnoCode(err) !== 'ENOENT') throw err;
      });
      withAncestors(parent, touched);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PUBLISH_CONCURRENCY, job.files.length) }, worker));
  withAncestors('', touched);
  for (const dir of touched) await syncDir(path.join(job.downloads, dir));
  return job.files.map((_, i) => job.published.get(i)!);
}

/** After a crash between link and journal: the temp file has a second name; find it by inode. */
async function alreadyLinked(part: string, parentAbs: string, base: string): Promise<string | undefined> {
  let s;
  try {
    s = await lstat(part);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') throw Object.assign(new Error(`verified data for ${base} is missing from the partial folder`), { code: 'ENOENT' });
    throw err;
  }
  if (s.nlink < 2) return undefined;
  for (let n = 0; n < 10_000; n++) {
    const candidate = suffixedName(base, n);
    try {
      const c = await lstat(path.join(parentAbs, candidate));
      if (c.ino === s.ino && c.dev === s.dev) return candidate;
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return undefined;
      throw err;
    }
  }
  return undefined;
}
