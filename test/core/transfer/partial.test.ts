/**
 * The receiver's resume state: checkpoints (never per chunk) plus the
 * re-read tail, as claimed in OFFER_ACCEPT, and how the sender's first chunk
 * confirms or rewinds them.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeFs } from '../../../src/core/transfer/fs-ops.js';
import { PartialDir } from '../../../src/core/transfer/partial.js';
import { prefixDigest } from '../../../src/protocol/root-hash.js';
import { cleanupTempDirs, pseudoRandom, tempDir } from './helpers/files.js';

afterEach(cleanupTempDirs);

const CS = 16 * 1024;
const sha = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest();
const hash = async (b: Buffer): Promise<Buffer> => sha(b);

async function writeChunks(p: PartialDir, i: number, data: Buffer, from: number, to: number, verify: boolean): Promise<void> {
  const f = p.file(i, data.length);
  const fd = await p.fdOf(f);
  for (let k = from; k < to; k++) {
    const chunk = data.subarray(k * CS, (k + 1) * CS);
    await nodeFs.write(fd, chunk, 0, chunk.length, k * CS);
    if (verify) p.markVerified(f, sha(chunk));
  }
}

describe('PartialDir', () => {
  it('claims the checkpointed prefix by digest and the whole chunks after it as a tail', async () => {
    const dl = tempDir();
    const data = pseudoRandom(10 * CS + 100, 1);
    const p = await PartialDir.open(dl, 't1', CS, nodeFs);
    await writeChunks(p, 0, data, 0, 4, true);
    await p.checkpoint(); // chunks 0..3 fsynced + hashes recorded
    await writeChunks(p, 0, data, 4, 7, true); // verified, not checkpointed (a crash now loses only the record)
    await p.close(p.file(0, data.length));
    const sums = readFileSync(path.join(p.dir, '0.sums'));
    expect(sums.length).toBe(4 * 32);

    const again = await PartialDir.open(dl, 't1', CS, nodeFs); // "after a restart"
    const have = await again.claims([data.length, 5], new Set(), hash, Buffer.alloc(CS));
    const hashes = Array.from({ length: 7 }, (_, k) => sha(data.subarray(k * CS, (k + 1) * CS)));
    expect(have).toEqual([{ file: 0, chunks: 4, digest: prefixDigest(Buffer.concat(hashes.slice(0, 4))).toString('hex'), tail: hashes.slice(4).map((h) => h.toString('hex')) }]);
  });

  it('drops a torn checkpoint record and a chunk cut short', async () => {
    const dl = tempDir();
    const data = pseudoRandom(6 * CS, 2);
    const p = await PartialDir.open(dl, 't2', CS, nodeFs);
    await writeChunks(p, 0, data, 0, 6, true);
    await p.checkpoint();
    await p.close(p.file(0, data.length));
    truncateSync(path.join(p.dir, '0.sums'), 3 * 32 + 7); // torn record
    truncateSync(path.join(p.dir, '0.part'), 5 * CS - 1); // chunk 4 incomplete
    const have = await (await PartialDir.open(dl, 't2', CS, nodeFs)).claims([data.length], new Set(), hash, Buffer.alloc(CS));
    expect(have.map((h) => [h.chunks, h.tail.length])).toEqual([[3, 1]]);
  });

  it('takes the sender start as the truth: confirms tail chunks before it, forgets chunks after it', async () => {
    const dl = tempDir();
    const data = pseudoRandom(8 * CS, 3);
    const p = await PartialDir.open(dl, 't3', CS, nodeFs);
    await writeChunks(p, 0, data, 0, 6, true);
    await p.checkpoint();
    await p.close(p.file(0, data.length));
    const q = await PartialDir.open(dl, 't3', CS, nodeFs);
    writeFileSync(path.join(q.dir, '0.sums'), readFileSync(path.join(q.dir, '0.sums')).subarray(0, 2 * 32)); // checkpoint at 2, tail 2..5
    await q.claims([data.length], new Set(), hash, Buffer.alloc(CS));
    const f = q.file(0, data.length);
    expect([f.checkpointed, f.verified, f.tail.length]).toEqual([2, 2, 4]);
    expect(q.begin(f, 7)).toBe(false); // cannot skip chunks we lack
    expect(q.begin(f, 5)).toBe(true); // the sender matched the tail up to 5
    expect([f.checkpointed, f.verified, f.tail.length]).toEqual([2, 5, 0]);
    expect((await q.hashesOf(f)).equals(Buffer.concat(Array.from({ length: 5 }, (_, k) => sha(data.subarray(k * CS, (k + 1) * CS)))))).toBe(true);
    f.begun = false;
    expect(q.begin(f, 1)).toBe(true); // a rewind below the checkpoint (the source changed)
    expect([f.checkpointed, f.verified]).toEqual([1, 1]);
    await writeChunks(q, 0, data, 1, 3, true);
    await q.checkpoint();
    expect(readFileSync(path.join(q.dir, '0.sums')).length).toBe(3 * 32); // the old records past the rewind are cut
  });

  it('skips files already verified and files with nothing on disk; removes only its own folder', async () => {
    const dl = tempDir();
    const p = await PartialDir.open(dl, 't4', CS, nodeFs);
    const data = pseudoRandom(2 * CS, 4);
    await writeChunks(p, 1, data, 0, 2, true);
    await p.checkpoint();
    await writeChunks(p, 2, data, 0, 1, false);
    await p.closeAll();
    const have = await (await PartialDir.open(dl, 't4', CS, nodeFs)).claims([5, data.length, data.length], new Set([1]), hash, Buffer.alloc(CS));
    expect(have.map((h) => [h.file, h.chunks, h.tail.length])).toEqual([[2, 0, 1]]);
    const other = await PartialDir.open(dl, 'other', CS, nodeFs);
    await p.remove();
    expect(existsSync(p.dir)).toBe(false);
    expect(existsSync(other.dir)).toBe(true);
  });
});
