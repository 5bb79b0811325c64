/**
 * Disk full (reliability.md X1, §6 promise 4): refused before accepting when
 * the offer does not fit; ENOSPC while writing (injected into the fs layer,
 * and for real on a 2 MiB tmpfs in a private mount namespace) pauses both
 * sides, never reports done, leaves nothing under a final name, and resumes
 * once space is back.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeFs, type TransferFs } from '../../../src/core/transfer/fs-ops.js';
import { startFaultProxy, type TcpFaultProxy } from '../../helpers/tcp-fault-proxy.js';
import { ChildPeer } from './helpers/child.js';
import { cleanupTempDirs, pseudoRandom, sha256File, tempDir, writeFile } from './helpers/files.js';
import { MiniPeer } from './helpers/mini-peer.js';
import { startPair, waitUntil, type Pair } from './helpers/pair.js';

const CS = 256 * 1024;
let pair: Pair | undefined;
let child: ChildPeer | undefined;
let proxy: TcpFaultProxy | undefined;
const extra: MiniPeer[] = [];
afterEach(async () => {
  await proxy?.close();
  if (child) await child.kill().catch(() => undefined);
  await pair?.stop();
  for (const p of extra.splice(0)) await p.stop();
  pair = child = proxy = undefined;
  cleanupTempDirs();
});

/** Writes fail with ENOSPC once `budget` bytes went through, until `full` is set false. */
function fillingFs(budget: number): TransferFs & { full: boolean } {
  let written = 0;
  const fs = {
    ...nodeFs,
    full: true,
    async write(fd: number, buf: Uint8Array, off: number, len: number, pos: number): Promise<void> {
      if (fs.full && written + len > budget) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      written += len;
      return nodeFs.write(fd, buf, off, len, pos);
    },
  };
  return fs;
}

const listing = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).sort() : []);

describe('disk full', () => {
  it('refuses an offer that does not fit, before anything is written', async () => {
    pair = await startPair({}, { reserveBytes: 2 ** 50 });
    const file = writeFile(path.join(pair.src, 'x.bin'), pseudoRandom(1000));
    const { transferId } = await pair.a.manager.offer(pair.b.deviceId, [file]);
    const r = await pair.a.manager.waitFor(transferId);
    expect(r).toMatchObject({ ok: false, code: 'ERR_NO_SPACE' });
    expect(r.reason).toContain('available');
    expect(listing(pair.b.opts.downloads)).toEqual([]);
  });

  it('ENOSPC while writing pauses both sides, publishes nothing, and resumes when space is back', async () => {
    const fs = fillingFs(5 * CS);
    pair = await startPair({ chunkSize: CS }, { fs });
    const size = 12 * CS + 99;
    const file = writeFile(path.join(pair.src, 'big.bin'), pseudoRandom(size, 3));
    const pausedB = pair.b.next('transfer-paused');
    const pausedA = pair.a.next('transfer-paused', (e) => e.code === 'ERR_NO_SPACE');
    const { transferId } = await pair.a.manager.offer(pair.b.deviceId, [file]);
    expect((await pausedB).code).toBe('ERR_NO_SPACE');
    expect((await pausedA).reason).toContain('full');
    await new Promise((r) => setTimeout(r, 100));
    expect(pair.b.events.some((e) => e.type === 'transfer-done')).toBe(false);
    expect(pair.a.manager.views()[0]).toMatchObject({ state: 'paused', error: { code: 'ERR_NO_SPACE' } });
    expect(pair.b.manager.views()[0]).toMatchObject({ state: 'paused', error: { code: 'ERR_NO_SPACE' } });
    expect(listing(pair.b.opts.downloads)).toEqual(['.peerdeck-partial']); // nothing under a final name
    fs.full = false;
    pair.a.manager.retry(transferId);
    expect(await pair.a.manager.waitFor(transferId)).toEqual({ ok: true });
    expect(sha256File(path.join(pair.b.opts.downloads, 'big.bin'))).toBe(sha256File(file));
  });

  it('a real 2 MiB tmpfs (private mount namespace): full mid-transfer, paused, nothing published, then done', async (ctx) => {
    try {
      execFileSync('unshare', ['-m', 'true'], { stdio: 'ignore' });
    } catch {
      ctx.skip(); // needs root (or user namespaces)
    }
    const root = tempDir();
    const mnt = path.join(root, 'dl');
    mkdirSync(mnt);
    child = await ChildPeer.spawn({ identity: 1, downloads: mnt, stateDir: path.join(root, 'state'), reserveBytes: 0 }, (argv) => [
      'unshare',
      ['-m', 'sh', '-c', `mount -t tmpfs -o size=2m tmpfs "${mnt}" && exec "$@"`, 'sh', ...argv],
    ]);
    const inNs = path.join(`/proc/${child.proc.pid}/root`, mnt); // the tmpfs, seen from here
    const a = await MiniPeer.start({ identity: 0, downloads: path.join(root, 'a-dl'), chunkSize: 64 * 1024 });
    extra.push(a);
    proxy = await startFaultProxy({ targetPort: child.port });
    a.trust(child.deviceId, child.port);
    a.bulkPort.set(child.deviceId, proxy.port);
    child.send({ cmd: 'trust', deviceId: a.deviceId, port: a.port });
    await a.connect(child.deviceId);
    const size = 1536 * 1024;
    const file = writeFile(path.join(root, 'src/fill.bin'), pseudoRandom(size, 11));
    proxy.stall(); // hold the data until the disk is nearly full
    const { transferId } = await a.manager.offer(child.deviceId, [file]);
    await a.next('transfer-started');
    writeFileSync(path.join(inNs, 'filler.bin'), Buffer.alloc(1024 * 1024, 1)); // leaves ~1 MiB for 1.5 MiB
    const paused = a.next('transfer-paused', (e) => e.code === 'ERR_NO_SPACE', 20_000);
    proxy.resume();
    expect((await paused).reason).toMatch(/full/);
    expect(listing(inNs)).toEqual(['.peerdeck-partial', 'filler.bin']);
    expect(child.lines.some((l) => l.type === 'event' && (l.event as { type: string }).type === 'transfer-done')).toBe(false);
    rmSync(path.join(inNs, 'filler.bin'));
    a.manager.retry(transferId);
    expect(await a.manager.waitFor(transferId)).toEqual({ ok: true });
    expect(readFileSync(path.join(inNs, 'fill.bin')).equals(readFileSync(file))).toBe(true);
    await waitUntil(() => listing(path.join(inNs, '.peerdeck-partial')).length === 0, 5_000, 'partial folder emptied');
  });
});
