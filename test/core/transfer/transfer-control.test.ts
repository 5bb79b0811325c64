/**
 * Offer and answer, timeouts, cancel from either side, an offline peer,
 * views and sampled progress, `peerdeck hash` agreeing with the transfer.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashFile } from '../../../src/core/transfer/hash-file.js';
import { nodeFs, type TransferFs } from '../../../src/core/transfer/fs-ops.js';
import { CHUNK_SIZE } from '../../../src/protocol/chunk-frame.js';
import { rootHash } from '../../../src/protocol/root-hash.js';
import { startFaultProxy, type TcpFaultProxy } from '../../helpers/tcp-fault-proxy.js';
import type { MemoryLog } from '../../helpers/memory-log.js';
import { cleanupTempDirs, pseudoRandom, writeFile } from './helpers/files.js';
import { MiniPeer } from './helpers/mini-peer.js';
import { startPair, waitUntil, type Pair } from './helpers/pair.js';

let pair: Pair | undefined;
let proxy: TcpFaultProxy | undefined;
const extra: MiniPeer[] = [];
afterEach(async () => {
  await proxy?.close();
  await pair?.stop();
  for (const p of extra.splice(0)) await p.stop();
  pair = proxy = undefined;
  cleanupTempDirs();
});

const ls = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir) : []);

describe('offer and answer', () => {
  it('asks the receiver; a yes lands the files, a no fails the send with ERR_DENIED', async () => {
    pair = await startPair({}, { policy: 'ask' });
    const { a, b } = pair;
    const file = writeFile(path.join(pair.src, 'hello.txt'), 'hello');
    const asked = b.next('offer-received');
    const first = await a.manager.offer(b.deviceId, [file]);
    const offer = await asked;
    expect(offer).toMatchObject({ id: first.transferId, deviceId: a.deviceId, files: [{ path: 'hello.txt', size: 5 }], total: 5 });
    expect(b.manager.offers()).toMatchObject([{ id: first.transferId, totalBytes: 5, files: [{ path: 'hello.txt', size: 5 }] }]);
    expect(a.manager.views()[0]).toMatchObject({ state: 'offered', direction: 'send', label: 'hello.txt', fileCount: 1 });
    b.manager.answer(first.transferId, false);
    expect(await a.manager.waitFor(first.transferId)).toMatchObject({ ok: false, code: 'ERR_DENIED' });
    expect(b.manager.offers()).toEqual([]);

    const again = b.next('offer-received');
    const second = await a.manager.offer(b.deviceId, [file]);
    b.manager.answer((await again).id, true);
    expect(await a.manager.waitFor(second.transferId)).toEqual({ ok: true });
    expect(ls(b.opts.downloads).sort()).toEqual(['hello.txt']);
    expect(b.manager.views().find((v) => v.id === second.transferId)).toMatchObject({ state: 'done', direction: 'receive', bytesDone: 5, bytesTotal: 5 });
  });

  it('times out an unanswered offer on both sides (ERR_OFFER_TIMEOUT)', async () => {
    pair = await startPair({ offerTimeoutMs: 300 }, { policy: 'ask', offerTimeoutMs: 60_000 });
    const file = writeFile(path.join(pair.src, 'x'), 'x');
    const { transferId } = await pair.a.manager.offer(pair.b.deviceId, [file]);
    expect(await pair.a.manager.waitFor(transferId)).toMatchObject({ ok: false, code: 'ERR_OFFER_TIMEOUT' });
    await waitUntil(() => pair!.b.manager.offers().length === 0, 5_000, 'the dialog to go away');
    expect((await pair.b.manager.waitFor(transferId)).code).toBe('ERR_OFFER_TIMEOUT');
  });

  it('refuses to offer to a peer without a session (ERR_PEER_OFFLINE), keeping nothing', async () => {
    pair = await startPair();
    const file = writeFile(path.join(pair.src, 'x'), 'x');
    pair.a.disconnect(pair.b.deviceId);
    await waitUntil(() => !pair!.a.online(pair!.b.deviceId));
    await expect(pair.a.manager.offer(pair.b.deviceId, [file])).rejects.toMatchObject({ code: 'ERR_PEER_OFFLINE' });
    expect(pair.a.manager.views()).toEqual([]);
    await expect(pair.a.manager.offer(pair.b.deviceId, [path.join(pair.src, 'missing')])).rejects.toMatchObject({ code: 'ERR_BAD_SOURCE' });
  });
});

describe('cancel', () => {
  async function stalledTransfer() {
    pair = await startPair({ chunkSize: 64 * 1024 }, {});
    proxy = await startFaultProxy({ targetPort: pair.b.port });
    pair.a.bulkPort.set(pair.b.deviceId, proxy.port);
    const file = writeFile(path.join(pair.src, 'big.bin'), pseudoRandom(4 * 1024 * 1024, 9));
    const { transferId } = await pair.a.manager.offer(pair.b.deviceId, [file]);
    await waitUntil(() => (pair!.b.manager.views()[0]?.bytesDone ?? 0) > 0 || proxy!.bytesUp > 300_000, 10_000, 'data to flow');
    proxy.stall();
    return transferId;
  }

  it('from the sender: the receiver is told, its partial data goes, nothing is published', async () => {
    const id = await stalledTransfer();
    const told = pair!.b.next('transfer-failed');
    pair!.a.manager.cancel(id);
    expect(await pair!.a.manager.waitFor(id)).toMatchObject({ ok: false, code: 'ERR_CANCELLED' });
    expect(await told).toMatchObject({ id, code: 'ERR_CANCELLED' });
    await waitUntil(() => ls(pair!.b.opts.downloads).length === 0, 5_000, 'partial folder cleaned');
  });

  it('from the receiver: the sender is told (ERR_CANCELLED), nothing is published', async () => {
    const id = await stalledTransfer();
    pair!.b.manager.cancel(id);
    expect(await pair!.a.manager.waitFor(id)).toMatchObject({ ok: false, code: 'ERR_CANCELLED' });
    expect(pair!.a.manager.views()[0]).toMatchObject({ state: 'cancelled', error: { code: 'ERR_CANCELLED' } });
    await waitUntil(() => ls(pair!.b.opts.downloads).length === 0, 5_000, 'partial folder cleaned');
    expect(() => pair!.a.manager.cancel('nope')).toThrow(expect.objectContaining({ code: 'ERR_TRANSFER_UNKNOWN' }));
  });
});

describe('progress, views and roots', () => {
  it('samples progress (never per chunk) and reports the same root as `peerdeck hash`', async () => {
    pair = await startPair({ chunkSize: 64 * 1024 }, {});
    const size = 6 * 1024 * 1024 + 3;
    const file = writeFile(path.join(pair.src, 'p.bin'), pseudoRandom(size, 4));
    const t0 = Date.now();
    const { transferId } = await pair.a.manager.offer(pair.b.deviceId, [file]);
    expect(await pair.a.manager.waitFor(transferId)).toEqual({ ok: true });
    const ms = Date.now() - t0;
    const progress = pair.a.events.filter((e) => e.type === 'transfer-progress');
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(ms / 500) + 2); // 96 chunks, a handful of samples
    const done = pair.a.manager.views()[0]!;
    expect(done).toMatchObject({ state: 'done', bytesDone: size, bytesTotal: size, rate: 0, attempts: 1 });
    const roots = pair.a.received.find((r) => r.msg.type === 'TRANSFER_DONE')!.msg as { files: Array<{ root: string }> };
    expect(roots.files[0]!.root).toBe((await hashFile(file, 64 * 1024)).root);
    expect((await hashFile(file)).chunkSize).toBe(CHUNK_SIZE);
    expect((await hashFile(writeFile(path.join(pair.src, 'empty'), ''))).root).toBe(rootHash(0, CHUNK_SIZE, []).toString('hex'));
    await expect(hashFile(path.join(pair.src, 'missing'))).rejects.toMatchObject({ code: 'ERR_BAD_SOURCE' });
  });

  it('resumes after a sender restart without re-reading what its hash cache already knows', async () => {
    const logs = new Map<string, MemoryLog<unknown>>();
    let reads = 0;
    const counting: TransferFs = { ...nodeFs, read: (...args) => ((reads += args[3]), nodeFs.read(...args)) };
    pair = await startPair({ chunkSize: 64 * 1024, logs, fs: counting }, {});
    proxy = await startFaultProxy({ targetPort: pair.b.port });
    pair.a.bulkPort.set(pair.b.deviceId, proxy.port);
    const size = 12 * 1024 * 1024;
    const file = writeFile(path.join(pair.src, 'c.bin'), pseudoRandom(size, 6));
    const { transferId } = await pair.a.manager.offer(pair.b.deviceId, [file]);
    await waitUntil(() => proxy!.bytesUp > size * 0.6, 10_000, 'most of the data');
    proxy.stall();
    await pair.a.stop(); // "restart" the sender: same journals (logs), fresh process state
    proxy.cut();
    proxy.resume();
    const readBefore = reads;
    const a2 = await MiniPeer.start({ identity: 0, downloads: pair.a.opts.downloads, chunkSize: 64 * 1024, logs, fs: counting });
    extra.push(a2);
    a2.trust(pair.b.deviceId, pair.b.port);
    pair.b.trust(a2.deviceId, a2.port);
    await a2.connect(pair.b.deviceId);
    expect(await a2.manager.waitFor(transferId)).toEqual({ ok: true });
    const reread = reads - readBefore;
    expect(reread).toBeLessThan(size * 0.6); // only what the receiver lacked, plus the cache's unflushed tail
    expect(existsSync(path.join(pair.b.opts.downloads, 'c.bin'))).toBe(true);
  });
});
