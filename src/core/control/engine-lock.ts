import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import * as z from 'zod';
import { EngineError } from '../errors.js';
import { isProcessAlive, processStartToken } from './process-liveness.js';

/**
 * One engine per config dir: a pid lock file.
 *
 * Protocol
 * - The lock file holds one JSON object (`LockInfo`). It is created whole and
 *   exclusively: the content goes to a private temp file first, which is then
 *   hard-linked to the lock path (`link` fails with EEXIST like O_EXCL, and
 *   nobody ever sees a half-written lock). Where the file system has no hard
 *   links we fall back to `open(O_CREAT|O_EXCL)` (`wx`) + write; a reader that
 *   meets an unparsable lock treats it as "being written" for a grace period.
 * - A lock is stale when its holder is gone: `kill(pid, 0)` says ESRCH, or (on
 *   Linux) the pid now belongs to a process with a different start time.
 * - Taking over a stale lock is serialised per stale generation: only the
 *   process that creates `<lock>.takeover-<nonce>` exclusively may delete the
 *   lock, and only after re-reading it under that guard and finding the same
 *   nonce. So when several processes race over one stale lock exactly one
 *   removes it, and a fresh lock can never be deleted by a late racer. After
 *   removal everybody competes through the exclusive create again: one wins.
 *   A guard left by a process that died mid-takeover is itself stale and is
 *   taken over the same way (one level deeper, bounded).
 *
 * Limits
 * - Advisory only: it binds peerdeck processes, not other programs.
 * - pid reuse: off Linux, a dead holder whose pid was recycled by an unrelated
 *   live process looks alive; the user must remove the lock file by hand
 *   (the error names it). On Linux the start-time token catches this.
 * - A lock written on another host (shared home over NFS) cannot be checked
 *   and always counts as held.
 * - Release on exit is synchronous and runs on normal exit (`process.exit`,
 *   empty event loop). Signals are the caller's: call `release()` from its
 *   handlers. SIGKILL leaves a stale lock, which the next start takes over.
 */

export const lockInfoSchema = z.object({
  pid: z.number().int().positive(),
  /** Wall-clock ms when the lock was taken. */
  startedAt: z.number(),
  hostname: z.string(),
  /** Unique per lock file written; names the generation for takeover. */
  nonce: z.string().regex(/^[0-9a-f]{8,64}$/),
  /** Linux process start token (see `processStartToken`). */
  procStart: z.string().optional(),
});
export type LockInfo = z.infer<typeof lockInfoSchema>;

export interface EngineLock {
  readonly path: string;
  readonly info: LockInfo;
  readonly released: boolean;
  /** Delete the lock file if it is still ours. Synchronous, idempotent, never throws. */
  release(): void;
}

export interface AcquireLockOptions {
  /** Release from a `process.on('exit')` hook (default true). */
  releaseOnExit?: boolean;
  /** How long to keep retrying while another process is mid-takeover (default 2000 ms). */
  settleMs?: number;
  /** An unparsable lock younger than this is taken to be still being written (default 5000 ms). */
  corruptGraceMs?: number;
}

export class EngineLockedError extends EngineError {
  constructor(
    message: string,
    /** The holder, when the lock file could be read. */
    readonly holder?: LockInfo,
  ) {
    super('ERR_ENGINE_LOCKED', message, 'retryable');
  }
}

/** Take the lock at `lockPath` (its directory must exist) or throw `EngineLockedError`. */
export async function acquireEngineLock(lockPath: string, options: AcquireLockOptions = {}): Promise<EngineLock> {
  const settleMs = options.settleMs ?? 2000;
  const graceMs = options.corruptGraceMs ?? 5000;
  const mine = newLockInfo();
  const content = serialize(mine);
  const deadline = Date.now() + settleMs;
  for (let attempt = 0; ; attempt++) {
    if (await createExclusive(lockPath, content)) {
      void cleanLitter(lockPath);
      return makeLock(lockPath, mine, options.releaseOnExit ?? true);
    }
    const seen = await inspect(lockPath, graceMs);
    if (seen.kind === 'held') throw lockedBy(lockPath, seen.info);
    if (seen.kind === 'stale' && (await removeGeneration(lockPath, seen.gen, graceMs, 0)) === 'removed') continue;
    if (seen.kind === 'missing' && attempt < 50) continue;
    if (Date.now() >= deadline) {
      throw new EngineLockedError(
        seen.kind === 'settling'
          ? `The engine lock ${lockPath} is unreadable; if no peerdeck process is running, delete it.`
          : `Another process is taking over the engine lock ${lockPath}; try again.`,
      );
    }
    await sleep(5 + Math.floor(Math.random() * 20));
  }
}

/** The current holder of the lock at `lockPath`, or null (missing or unreadable). */
export async function readLockInfo(lockPath: string): Promise<LockInfo | null> {
  try {
    return parse(await readFile(lockPath, 'utf8'));
  } catch {
    return null;
  }
}

/** Is the holder named in `info` still running (as far as this host can tell)? */
export function isLockHolderAlive(info: LockInfo): boolean {
  if (info.hostname !== hostname()) return true;
  if (!isProcessAlive(info.pid)) return false;
  if (info.procStart !== undefined) {
    const now = processStartToken(info.pid);
    if (now !== undefined && now !== info.procStart) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------

type Seen =
  | { kind: 'missing' }
  | { kind: 'held'; info: LockInfo; gen: string }
  | { kind: 'stale'; gen: string }
  /** Unparsable but young: probably being written by the `wx` fallback. */
  | { kind: 'settling'; gen: string };

function newLockInfo(): LockInfo {
  const procStart = processStartToken(process.pid);
  return {
    pid: process.pid,
    startedAt: Date.now(),
    hostname: hostname(),
    nonce: randomBytes(8).toString('hex'),
    ...(procStart !== undefined ? { procStart } : {}),
  };
}

function serialize(info: LockInfo): string {
  return `${JSON.stringify(info)}\n`;
}

function parse(raw: string): LockInfo | null {
  try {
    const r = lockInfoSchema.safeParse(JSON.parse(raw));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

async function inspect(path: string, graceMs: number): Promise<Seen> {
  let raw: string;
  let st;
  try {
    raw = await readFile(path, 'utf8');
    st = await stat(path);
  } catch (err) {
    if (errno(err) === 'ENOENT') return { kind: 'missing' };
    throw new EngineError('ERR_CONFIG_DIR', `Cannot read the engine lock ${path}: ${String(err)}`, 'local', { cause: err });
  }
  const info = parse(raw);
  if (info) return isLockHolderAlive(info) ? { kind: 'held', info, gen: info.nonce } : { kind: 'stale', gen: info.nonce };
  // Unparsable: name the generation by content and identity of the file.
  const gen = createHash('sha256').update(`${raw}\0${st.ino}\0${st.mtimeMs}`).digest('hex').slice(0, 32);
  return Date.now() - st.mtimeMs > graceMs ? { kind: 'stale', gen } : { kind: 'settling', gen };
}

/**
 * Create `path` with `content` unless it exists. True if we created it.
 * Content appears atomically (temp file + hard link) where links work.
 */
async function createExclusive(path: string, content: string): Promise<boolean> {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, content, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    throw new EngineError('ERR_CONFIG_DIR', `Cannot write next to the engine lock ${path}: ${String(err)}`, 'local', {
      cause: err,
    });
  }
  try {
    await link(tmp, path);
    return true;
  } catch (err) {
    const code = errno(err);
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  // No hard links here: plain O_EXCL create; readers tolerate the short window.
  try {
    await writeFile(path, content, { flag: 'wx', mode: 0o600 });
    return true;
  } catch (err) {
    if (errno(err) === 'EEXIST') return false;
    throw err;
  }
}

const MAX_GUARD_DEPTH = 2;

/**
 * Delete `path` if it is still generation `gen`, serialised by an exclusive
 * guard file named after that generation. 'busy' means someone else holds the
 * guard (or the lock changed): look again.
 */
async function removeGeneration(path: string, gen: string, graceMs: number, depth: number): Promise<'removed' | 'busy'> {
  const guard = `${path}.takeover-${gen}`;
  if (!(await createExclusive(guard, serialize(newLockInfo())))) {
    if (depth < MAX_GUARD_DEPTH) {
      const g = await inspect(guard, graceMs);
      // The guard's holder died mid-takeover: take the guard over, one level down.
      if (g.kind === 'stale') await removeGeneration(guard, g.gen, graceMs, depth + 1);
    }
    return 'busy';
  }
  try {
    const now = await inspect(path, graceMs);
    if (now.kind === 'missing' || now.gen !== gen) return 'busy';
    await unlink(path).catch((err: unknown) => {
      if (errno(err) !== 'ENOENT') throw err;
    });
    return 'removed';
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

/** Best effort: delete temp files and takeover guards left by dead processes. */
async function cleanLitter(lockPath: string): Promise<void> {
  const dir = dirname(lockPath);
  const base = basename(lockPath);
  try {
    for (const name of await readdir(dir)) {
      if (!name.startsWith(`${base}.`)) continue;
      const rest = name.slice(base.length + 1);
      const tmp = /^(\d+)\.[0-9a-f]+\.tmp$/.exec(rest);
      if (tmp) {
        if (!isProcessAlive(Number(tmp[1]))) await unlink(join(dir, name)).catch(() => undefined);
      } else if (rest.startsWith('takeover-')) {
        const info = await readLockInfo(join(dir, name));
        if (info && !isLockHolderAlive(info)) await unlink(join(dir, name)).catch(() => undefined);
      }
    }
  } catch {
    // litter is harmless
  }
}

function lockedBy(path: string, info: LockInfo): EngineLockedError {
  const since = new Date(info.startedAt).toISOString();
  const where = info.hostname === hostname() ? '' : ` on host ${info.hostname}`;
  return new EngineLockedError(
    `A peerdeck engine is already running for this config dir (pid ${info.pid}${where}, since ${since}; lock ${path}).`,
    info,
  );
}

function makeLock(path: string, info: LockInfo, releaseOnExit: boolean): EngineLock {
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.off('exit', release);
    try {
      if (parse(readFileSync(path, 'utf8'))?.nonce === info.nonce) unlinkSync(path);
    } catch {
      // already gone, or unreadable: not ours to remove
    }
  };
  if (releaseOnExit) process.on('exit', release);
  return {
    path,
    info,
    get released() {
      return released;
    },
    release,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
