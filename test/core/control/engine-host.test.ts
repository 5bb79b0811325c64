import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { claimIdentity } from '../../../src/core/control/engine-host.js';
import type { IdentityClaim, IdentityPaths } from '../../../src/core/control/engine-host.js';
import { EngineError } from '../../../src/core/errors.js';
import { buildControlModules, spawnChild } from './helpers/children.js';

let dir: string;
let paths: IdentityPaths;
const cleanups: (() => unknown)[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pd-host-'));
  paths = { lockPath: join(dir, 'engine.lock'), socketPath: join(dir, 'control.sock') };
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  rmSync(dir, { recursive: true, force: true });
});

function track(claim: IdentityClaim): IdentityClaim {
  cleanups.push(() => (claim.kind === 'owner' ? claim.close() : claim.client.close()));
  return claim;
}

const ping = async (method: string, params: unknown) => {
  if (method === 'ping') return { pong: true, pid: process.pid };
  if (method === 'echo') return params;
  throw new EngineError('ERR_USAGE', `unknown method ${method}`, 'usage');
};

describe('claimIdentity (in process)', () => {
  it('first claimant owns the identity; the second becomes its client', async () => {
    const first = track(await claimIdentity(paths));
    expect(first.kind).toBe('owner');
    if (first.kind !== 'owner') return;
    await first.startControlServer(ping);
    const second = track(await claimIdentity(paths));
    expect(second.kind).toBe('client');
    if (second.kind !== 'client') return;
    expect(second.holderPid).toBe(process.pid);
    expect(await second.client.call('ping')).toEqual({ pong: true, pid: process.pid });
  });

  it('a client waits for an owner whose socket is not up yet', async () => {
    const first = track(await claimIdentity(paths));
    if (first.kind !== 'owner') throw new Error('expected owner');
    const pending = claimIdentity(paths, { waitMs: 3000 });
    await new Promise((r) => setTimeout(r, 150));
    await first.startControlServer(ping);
    const second = track(await pending);
    expect(second.kind).toBe('client');
  });

  it('gives up with ERR_ENGINE_LOCKED when the owner never serves', async () => {
    track(await claimIdentity(paths));
    const t0 = Date.now();
    await expect(claimIdentity(paths, { waitMs: 200 })).rejects.toMatchObject({ code: 'ERR_ENGINE_LOCKED' });
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('owner.close() removes socket and lock; the next claimant owns', async () => {
    const first = await claimIdentity(paths);
    if (first.kind !== 'owner') throw new Error('expected owner');
    await first.startControlServer(ping);
    await expect(first.startControlServer(ping)).rejects.toMatchObject({ code: 'ERR_INTERNAL' });
    await first.close();
    expect(existsSync(paths.socketPath)).toBe(false);
    expect(existsSync(paths.lockPath)).toBe(false);
    expect(track(await claimIdentity(paths)).kind).toBe('owner');
  });
});

describe('claimIdentity across processes', () => {
  let dist: { dist: string; cleanup(): void };
  beforeAll(() => {
    dist = buildControlModules();
  });
  afterAll(() => dist.cleanup());

  it('a child owns the engine and serves ping; we become its client and call it', async () => {
    const child = spawnChild(dist.dist, ['engine', paths.lockPath, paths.socketPath]);
    cleanups.push(() => child.proc.kill('SIGKILL'));
    expect(await child.next()).toMatchObject({ kind: 'owner' });
    const claim = track(await claimIdentity(paths));
    expect(claim).toMatchObject({ kind: 'client', holderPid: child.proc.pid });
    if (claim.kind !== 'client') return;
    expect(await claim.client.call('ping')).toEqual({ pong: true, pid: child.proc.pid });
    expect(await claim.client.call('echo', { n: 1 })).toEqual({ n: 1 });
    await expect(claim.client.call('nope')).rejects.toMatchObject({ code: 'ERR_ENGINE_LOCKED' });
  });

  it('we own the engine; a child command becomes our client', async () => {
    const claim = track(await claimIdentity(paths));
    if (claim.kind !== 'owner') throw new Error('expected owner');
    await claim.startControlServer(ping);
    const child = spawnChild(dist.dist, ['engine', paths.lockPath, paths.socketPath]);
    expect(await child.next()).toEqual({ kind: 'client', holderPid: process.pid, result: { pong: true, pid: process.pid } });
    expect(await child.exited).toBe(0);
  });

  it('after the owning child is SIGKILLed (stale lock and socket left behind) we become owner', async () => {
    const child = spawnChild(dist.dist, ['engine', paths.lockPath, paths.socketPath]);
    expect(await child.next()).toMatchObject({ kind: 'owner' });
    child.proc.kill('SIGKILL');
    await child.exited;
    expect(existsSync(paths.socketPath)).toBe(true);
    expect(existsSync(paths.lockPath)).toBe(true);
    const claim = track(await claimIdentity(paths));
    expect(claim.kind).toBe('owner');
    if (claim.kind !== 'owner') return;
    await claim.startControlServer(ping);
    const again = track(await claimIdentity(paths));
    if (again.kind !== 'client') throw new Error('expected client');
    expect(await again.client.call('ping')).toMatchObject({ pid: process.pid });
  });

  it('after the owning child closes cleanly we become owner', async () => {
    const child = spawnChild(dist.dist, ['engine', paths.lockPath, paths.socketPath]);
    expect(await child.next()).toMatchObject({ kind: 'owner' });
    child.send('close');
    expect(await child.exited).toBe(0);
    expect(existsSync(paths.socketPath)).toBe(false);
    expect(track(await claimIdentity(paths)).kind).toBe('owner');
  });
});
