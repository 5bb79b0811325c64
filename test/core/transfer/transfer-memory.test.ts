/**
 * Memory stays flat whatever the size: sender and receiver each in their own
 * process, peak RSS sampled in each (process.memoryUsage every 25 ms from the
 * moment the peer is ready, next to the life-long process.resourceUsage().maxRSS).
 * The default run moves 256 MiB; PEERDECK_BIG=1 moves 2 GiB (issue 4: < 150 MB each).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChildPeer } from './helpers/child.js';
import { hashFile } from '../../../src/core/transfer/hash-file.js';
import { cleanupTempDirs, tempDir } from './helpers/files.js';

const BIG = process.env.PEERDECK_BIG === '1';
const SIZE = BIG ? 2 * 1024 ** 3 : 256 * 1024 ** 2;
const LIMIT = 150 * 1e6;
const children: ChildPeer[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) await c.kill().catch(() => undefined);
  cleanupTempDirs();
});

describe('memory', () => {
  it(`keeps both processes under 150 MB moving ${SIZE / 1024 ** 2} MiB`, { timeout: BIG ? 600_000 : 60_000 }, async () => {
    const root = tempDir();
    const src = path.join(root, 'payload.bin');
    execFileSync('sh', ['-c', `openssl enc -aes-128-ctr -pass pass:peerdeck -nosalt -pbkdf2 -iter 1 </dev/zero 2>/dev/null | head -c ${SIZE} > "${src}"`]);
    // A first child pays for transpiling the TypeScript sources (cached afterwards), so it is not in the figures.
    await (await ChildPeer.spawn({ identity: 2, downloads: path.join(root, 'warm') })).exit();
    const b = await ChildPeer.spawn({ identity: 1, downloads: path.join(root, 'dl'), stateDir: path.join(root, 'sb'), reserveBytes: 0 });
    const a = await ChildPeer.spawn({ identity: 0, downloads: path.join(root, 'dla'), stateDir: path.join(root, 'sa') });
    children.push(a, b);
    b.send({ cmd: 'trust', deviceId: a.deviceId, port: a.port });
    a.send({ cmd: 'trust', deviceId: b.deviceId, port: b.port });
    a.send({ cmd: 'connect', deviceId: b.deviceId });
    await a.wait((l) => l.type === 'connected');
    const t0 = performance.now();
    a.send({ cmd: 'offer', deviceId: b.deviceId, paths: [src] });
    const result = await a.wait((l) => l.type === 'result', BIG ? 560_000 : 50_000);
    const seconds = (performance.now() - t0) / 1000;
    expect(result.result).toEqual({ ok: true });
    const [sa, sb] = await Promise.all([a.stats(), b.stats()]);
    const mb = (n: number) => (n / 1e6).toFixed(1);
    console.log(
      `${SIZE / 1024 ** 2} MiB in ${seconds.toFixed(2)} s (${(SIZE / 1e6 / seconds).toFixed(0)} MB/s); RSS when ready: sender ${mb(a.readyRss)} MB, receiver ${mb(b.readyRss)} MB; ` +
        `peak RSS since ready: sender ${mb(sa.peakRssSinceReady)} MB, receiver ${mb(sb.peakRssSinceReady)} MB; ` +
        `process maxRSS: sender ${mb(sa.maxRssKiB * 1024)} MB, receiver ${mb(sb.maxRssKiB * 1024)} MB`,
    );
    expect(sa.peakRssSinceReady).toBeLessThan(LIMIT);
    expect(sb.peakRssSinceReady).toBeLessThan(LIMIT);
    expect((await hashFile(path.join(root, 'dl/payload.bin'))).root).toBe((await hashFile(src)).root); // streamed: files over 2 GiB cannot be read whole
  });
});
