import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EngineLockedError, acquireEngineLock, isLockHolderAlive, readLockInfo } from '../../../src/core/control/engine-lock.js';
import type { EngineLock, LockInfo } from '../../../src/core/control/engine-lock.js';
import { isEngineError } from '../../../src/core/errors.js';
import { buildControlModules, deadPid, spawnChild } from './helpers/children.js';

let dir: string;
let lockPath: string;
const held: EngineLock[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pd-lock-'));
  lockPath = join(dir, 'engine.lock');
});
afterEach(() => {
  for (const l of held.splice(0)) l.release();
  rmSync(dir, { recursive: true, force: true });
});

async function take(path = lockPath): Promise<EngineLock> {
  const l = await acquireEngineLock(path);
  held.push(l);
  return l;
}

function writeStale(pid: number, nonce = 'deadbeefdeadbeef'): void {
  const info: LockInfo = { pid, startedAt: Date.now() - 60_000, hostname: hostname(), nonce };
  writeFileSync(lockPath, JSON.stringify(info));
}

describe('acquireEngineLock', () => {
  it('writes pid, start time and host, mode 0600', async () => {
    const lock = await take();
    const info = await readLockInfo(lockPath);
    expect(info).toMatchObject({ pid: process.pid, hostname: hostname() });
    expect(info?.startedAt).toBeGreaterThan(Date.now() - 10_000);
    expect(info?.nonce).toBe(lock.info.nonce);
    expect(isLockHolderAlive(info!)).toBe(true);
  });

  it('a second acquire fails with ERR_ENGINE_LOCKED naming the holder; after release it succeeds', async () => {
    const first = await take();
    const err = await acquireEngineLock(lockPath).catch((e: unknown) => e);
    expect(isEngineError(err, 'ERR_ENGINE_LOCKED')).toBe(true);
    expect(err).toBeInstanceOf(EngineLockedError);
    expect((err as EngineLockedError).holder?.pid).toBe(process.pid);
    expect((err as Error).message).toContain(`pid ${process.pid}`);
    first.release();
    expect(existsSync(lockPath)).toBe(false);
    await take();
  });

  it('release is idempotent and never removes a lock that is no longer ours', async () => {
    const lock = await take();
    rmSync(lockPath);
    const other = await take();
    lock.release();
    lock.release();
    expect(lock.released).toBe(true);
    expect((await readLockInfo(lockPath))?.nonce).toBe(other.info.nonce);
  });

  it('takes over a lock whose pid is dead', async () => {
    writeStale(await deadPid());
    const lock = await take();
    expect((await readLockInfo(lockPath))?.nonce).toBe(lock.info.nonce);
  });

  it('takes over a lock whose pid was reused by another process (Linux start token)', async () => {
    if (process.platform !== 'linux') return;
    // Our own pid, but a start token from another life.
    const info: LockInfo = { pid: process.pid, startedAt: 0, hostname: hostname(), nonce: 'aaaaaaaaaaaaaaaa', procStart: '1' };
    writeFileSync(lockPath, JSON.stringify(info));
    await take();
  });

  it('treats a lock from another host as held', async () => {
    const info: LockInfo = { pid: await deadPid(), startedAt: 0, hostname: `not-${hostname()}`, nonce: 'bbbbbbbbbbbbbbbb' };
    writeFileSync(lockPath, JSON.stringify(info));
    await expect(acquireEngineLock(lockPath)).rejects.toThrow(/on host not-/);
  });

  it('waits out a fresh unparsable lock, takes over an old one', async () => {
    writeFileSync(lockPath, '');
    await expect(acquireEngineLock(lockPath, { settleMs: 100 })).rejects.toMatchObject({ code: 'ERR_ENGINE_LOCKED' });
    utimesSync(lockPath, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    await take();
  });

  it('never treats pid 0 or negative pids as alive', async () => {
    writeFileSync(lockPath, JSON.stringify({ pid: 0, startedAt: 0, hostname: hostname(), nonce: 'cccccccccccccccc' }));
    utimesSync(lockPath, new Date(0), new Date(0)); // invalid => corrupt; old => stale
    await take();
  });

  it('exactly one of many concurrent in-process takeovers of one stale lock wins (repeated)', async () => {
    const pid = await deadPid();
    for (let round = 0; round < 40; round++) {
      writeStale(pid, `${round.toString(16).padStart(4, '0')}deadbeefdead`);
      const results = await Promise.allSettled(Array.from({ length: 6 }, () => acquireEngineLock(lockPath)));
      const winners = results.filter((r) => r.status === 'fulfilled');
      expect(winners).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'ERR_ENGINE_LOCKED' });
      }
      const lock = (winners[0] as PromiseFulfilledResult<EngineLock>).value;
      expect((await readLockInfo(lockPath))?.nonce).toBe(lock.info.nonce);
      lock.release();
      expect(readdirSync(dir)).toEqual([]); // no guards or temp files left behind
    }
  });

  it('a guard left by a process that died mid-takeover does not block takeover', async () => {
    const pid = await deadPid();
    writeStale(pid, 'feedfacefeedface');
    writeFileSync(
      `${lockPath}.takeover-feedfacefeedface`,
      JSON.stringify({ pid, startedAt: 0, hostname: hostname(), nonce: '0123456789abcdef' }),
    );
    await take();
  });
});

describe('engine lock across processes', () => {
  let dist: { dist: string; cleanup(): void };
  beforeAll(() => {
    dist = buildControlModules();
  });
  afterAll(() => dist.cleanup());

  it('a lock held by a child blocks us; once the child is SIGKILLed we take it over', async () => {
    const child = spawnChild(dist.dist, ['hold', lockPath]);
    expect(await child.next()).toMatchObject({ won: true });
    const err = await acquireEngineLock(lockPath).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_ENGINE_LOCKED', holder: { pid: child.proc.pid } });
    child.proc.kill('SIGKILL');
    await child.exited;
    expect(JSON.parse(readFileSync(lockPath, 'utf8'))).toMatchObject({ pid: child.proc.pid });
    await take();
  });

  it('a child that exits normally releases the lock', async () => {
    const child = spawnChild(dist.dist, ['hold', lockPath]);
    expect(await child.next()).toMatchObject({ won: true });
    child.send('exit'); // process.exit without release(): the exit hook releases
    await child.exited;
    expect(existsSync(lockPath)).toBe(false);
  });

  it('exactly one of three child processes racing over one stale lock wins (repeated)', async () => {
    const pid = await deadPid();
    for (let round = 0; round < 5; round++) {
      writeStale(pid, `${round}abcabcabcabcabc`);
      const kids = Array.from({ length: 3 }, () => spawnChild(dist.dist, ['race', lockPath]));
      for (const k of kids) expect(await k.next()).toMatchObject({ ready: true });
      for (const k of kids) k.send('go');
      const results = await Promise.all(kids.map((k) => k.next()));
      expect(results.filter((r) => r.won === true)).toHaveLength(1);
      for (const r of results) if (r.won !== true) expect(r.code).toBe('ERR_ENGINE_LOCKED');
      const winner = results.find((r) => r.won === true)!;
      expect((await readLockInfo(lockPath))?.pid).toBe(winner.pid);
      for (const k of kids) k.send('exit');
      await Promise.all(kids.map((k) => k.exited));
      expect(existsSync(lockPath)).toBe(false);
    }
  });
});
