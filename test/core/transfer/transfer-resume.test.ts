/**
 * Resume: a bulk connection cut mid-way (TCP fault proxy) continues from what
 * is verifiably on the receiver's disk, sending no more than the window twice;
 * a source changed between attempts, or while it is read, is detected and that
 * file is sent again, with the reason reported.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFaultProxy, type TcpFaultProxy } from '../../helpers/tcp-fault-proxy.js';
import { CHUNK_FRAME_OVERHEAD } from '../../../src/protocol/chunk-frame.js';
import { cleanupTempDirs, pseudoRandom, sha256File, sizeOf, writeFile } from './helpers/files.js';
import { startPair, waitUntil, type Pair } from './helpers/pair.js';

const CS = 256 * 1024;
const WINDOW = 4;
let pair: Pair | undefined;
let proxy: TcpFaultProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await pair?.stop();
  pair = proxy = undefined;
  cleanupTempDirs();
});

async function proxiedPair(): Promise<{ p: Pair; proxy: TcpFaultProxy }> {
  const p = await startPair({ chunkSize: CS, windowChunks: WINDOW }, { windowChunks: WINDOW });
  const px = await startFaultProxy({ targetPort: p.b.port });
  p.a.bulkPort.set(p.b.deviceId, px.port);
  pair = p;
  proxy = px;
  return { p, proxy: px };
}


/** Payload bytes a transfer of `size` bytes must put on the wire: data plus one header per chunk. */
const framedSize = (size: number): number => size + Math.ceil(size / CS) * CHUNK_FRAME_OVERHEAD;

describe('resume after a cut connection', () => {
  it('continues where the receiver verifiably is, re-sending at most the window', async () => {
    const { p, proxy } = await proxiedPair();
    const size = 40 * CS + 1234;
    const file = writeFile(path.join(p.src, 'big.bin'), pseudoRandom(size, 42));
    proxy.cutAfterBytes(Math.floor(size * 0.45));
    const paused = p.a.next('transfer-paused');
    const done = p.a.next('transfer-done');
    const { transferId } = await p.a.manager.offer(p.b.deviceId, [file]);
    await paused;
    expect(await p.a.manager.waitFor(transferId)).toEqual({ ok: true });
    const ev = await done;
    expect(proxy.connections).toBe(2);
    expect(p.a.bulkOut).toBe(2);
    expect(sha256File(path.join(p.b.opts.downloads, 'big.bin'))).toBe(sha256File(file));
    // Sent twice: whatever went over the wire beyond one framed copy of the file (two BULK_OPENs and a FILE_END aside).
    const resent = ev.bytesOnWire - framedSize(size) - 400;
    console.log(`cut at 45 %: ${ev.bytesOnWire} bytes on the wire for ${size}; re-sent ${resent} (window ${WINDOW} × ${CS})`);
    expect(resent).toBeLessThanOrEqual(WINDOW * (CS + CHUNK_FRAME_OVERHEAD));
    const recvDone = await p.b.next('transfer-done', () => true, 5_000, true);
    expect(recvDone.bytesOnWire).toBeLessThan(framedSize(size) + WINDOW * (CS + CHUNK_FRAME_OVERHEAD) + 400);
  });

  it('survives two cuts in a folder of several files', async () => {
    const { p, proxy } = await proxiedPair();
    const dir = path.join(p.src, 'f');
    const sizes = [3 * CS, 0, 7 * CS + 5, 1, 12 * CS];
    sizes.forEach((s, i) => writeFile(path.join(dir, `x${i}.bin`), pseudoRandom(s, i + 9)));
    const total = sizes.reduce((a, b) => a + b, 0);
    proxy.cutAfterBytes(Math.floor(total * 0.3));
    const { transferId } = await p.a.manager.offer(p.b.deviceId, [dir]);
    await p.a.next('transfer-paused');
    proxy.cutAfterBytes(Math.floor(total * 0.3));
    await p.a.next('transfer-paused');
    expect(await p.a.manager.waitFor(transferId)).toEqual({ ok: true });
    expect(proxy.connections).toBe(3);
    sizes.forEach((_, i) => expect(sha256File(path.join(p.b.opts.downloads, 'f', `x${i}.bin`))).toBe(sha256File(path.join(dir, `x${i}.bin`))));
  });
});

describe('a source that changes', () => {
  it('between attempts: detected, that file sent again, reason reported', async () => {
    const { p, proxy } = await proxiedPair();
    const size = 20 * CS;
    const file = writeFile(path.join(p.src, 'log.bin'), pseudoRandom(size, 5));
    proxy.cutAfterBytes(Math.floor(size * 0.5));
    const restarted = p.a.next('transfer-restarted');
    const pausedAt = p.a.next('transfer-paused');
    const { transferId } = await p.a.manager.offer(p.b.deviceId, [file]);
    await pausedAt;
    // Rewrite the middle and grow the file before the retry (500 ms later).
    const changed = Buffer.concat([pseudoRandom(size, 5).subarray(0, 3 * CS), pseudoRandom(size + 777, 6)]);
    writeFileSync(file, changed);
    const why = await restarted;
    expect(why.reason).toContain('log.bin');
    expect(await p.a.manager.waitFor(transferId)).toEqual({ ok: true });
    expect(readFileSync(path.join(p.b.opts.downloads, 'log.bin')).equals(changed)).toBe(true);
  });

  it('while it is being read: detected at the end of the file, sent again', async () => {
    const { p, proxy } = await proxiedPair();
    const size = 24 * CS;
    const file = writeFile(path.join(p.src, 'grow.bin'), pseudoRandom(size, 8));
    const { transferId } = await p.a.manager.offer(p.b.deviceId, [file]);
    // Hold the bulk connection once a few chunks are in, change the file, let it go.
    const part = path.join(p.b.opts.downloads, '.peerdeck-partial', transferId, '0.part');
    await waitUntil(() => sizeOf(part) >= 2 * CS, 10_000, 'two chunks on the receiver');
    proxy.stall();
    appendFileSync(file, 'more data');
    await new Promise((r) => setTimeout(r, 50));
    proxy.resume();
    const why = await p.a.next('transfer-restarted');
    expect(why.reason).toContain('grow.bin');
    expect(await p.a.manager.waitFor(transferId)).toEqual({ ok: true });
    expect(sha256File(path.join(p.b.opts.downloads, 'grow.bin'))).toBe(sha256File(file));
  });
});
