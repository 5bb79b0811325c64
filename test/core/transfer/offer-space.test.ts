/**
 * The offer dialog knows where files land and the room there (fs.statfs);
 * an offer that cannot fit is refused before anyone is asked, and the sender
 * is told why. Real TLS on loopback, real files.
 */
import { realpathSync, statfsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, pseudoRandom, writeFile } from './helpers/files.js';
import { startPair, waitUntil, type Pair } from './helpers/pair.js';

let pair: Pair | undefined;
afterEach(async () => {
  await pair?.stop();
  pair = undefined;
  cleanupTempDirs();
});

describe('offer: destination and free space', () => {
  it('shows the destination folder and its free space in the pending offer', async () => {
    pair = await startPair({}, { policy: 'ask' });
    const p = pair;
    const file = writeFile(path.join(p.src, 'a.bin'), pseudoRandom(1000, 1));
    await p.a.manager.offer(p.b.deviceId, [file]);
    await p.b.next('offer-received');
    const [offer] = p.b.manager.offers();
    const downloads = realpathSync(p.b.opts.downloads);
    expect(offer!.destination).toBe(downloads);
    const s = statfsSync(downloads);
    const free = s.bavail * s.bsize;
    expect(offer!.freeBytes).toBeGreaterThan(0);
    expect(offer!.freeBytes).toBeLessThanOrEqual(free);
    expect(offer!.freeBytes).toBeGreaterThan(free - 64 * 1024 * 1024); // reserve 0 in MiniPeer; statfs moves a little
  });

  it('refuses an offer that does not fit without asking, and the sender learns why', async () => {
    pair = await startPair({}, { policy: 'ask', reserveBytes: Number.MAX_SAFE_INTEGER });
    const p = pair;
    const file = writeFile(path.join(p.src, 'big.bin'), pseudoRandom(5000, 2));
    const { transferId } = await p.a.manager.offer(p.b.deviceId, [file]);
    const result = await p.a.manager.waitFor(transferId);
    expect(result).toMatchObject({ ok: false, code: 'ERR_NO_SPACE' });
    expect(result.reason).toContain('not enough space: needs 4.9 KiB');
    expect(result.reason).toContain(realpathSync(p.b.opts.downloads));
    expect(p.b.events.some((e) => e.type === 'offer-received')).toBe(false);
    expect(p.b.manager.offers()).toEqual([]);
    await waitUntil(() => p.b.manager.views().some((v) => v.id === transferId && v.state === 'failed'));
    expect(p.b.manager.views().find((v) => v.id === transferId)!.error?.code).toBe('ERR_NO_SPACE');
  });
});
