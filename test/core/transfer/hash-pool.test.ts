/** SHA-256 off the main thread: views of a slot arena hashed in place; slots aligned for fast copies. */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { HashPool } from '../../../src/core/transfer/hash-pool.js';
import { SlotPool } from '../../../src/core/transfer/slot-pool.js';
import { pseudoRandom } from './helpers/files.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
let pool: HashPool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

describe('HashPool', () => {
  it('hashes slots in place in the worker, giving the same digests as inline', async () => {
    pool = new HashPool();
    const data = pseudoRandom(300_000, 5);
    const shared = new SlotPool(2, 512 * 1024);
    const s = shared.tryAcquire()!;
    data.copy(s.data);
    expect((await pool.hash(s.data.subarray(0, data.length))).toString('hex')).toBe(sha(data));
    const small = Buffer.from('tiny, hashed inline');
    expect((await pool.hash(small)).toString('hex')).toBe(sha(small));
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => pool!.hash(Buffer.from(shared.sab, 0, 100_000 + i))));
    results.forEach((r, i) => expect(r.toString('hex')).toBe(sha(Buffer.from(shared.sab, 0, 100_000 + i))));
  });

  it('finishes a job posted before its arena is detached, and attaches the arena again when it is reused', async () => {
    pool = new HashPool();
    const a = new SlotPool(1, 256 * 1024);
    const view = a.tryAcquire()!.data;
    view.fill(9);
    const first = pool.hash(view);
    pool.detach(a.sab); // messages to the worker keep their order: the job runs before the detach
    expect((await first).toString('hex')).toBe(sha(view));
    view.fill(3);
    expect((await pool.hash(view)).toString('hex')).toBe(sha(view));
  });

  it('fails pending jobs when closed, then hashes inline', async () => {
    pool = new HashPool();
    const shared = new SlotPool(1, 1024 * 1024);
    const pending = expect(pool.hash(shared.tryAcquire()!.data)).rejects.toThrow(/closed/);
    await pool.close();
    await pending;
    const after = await pool.hash(Buffer.from(shared.sab, 0, 200_000));
    expect(after.toString('hex')).toBe(sha(Buffer.from(shared.sab, 0, 200_000)));
  });
});

describe('SlotPool', () => {
  it('puts every slot\'s data on a 64-byte boundary with the headers right before it, slots never overlapping', () => {
    for (const chunk of [1, 1000, 64 * 1024, 1024 * 1024 + 3]) {
      const p = new SlotPool(5, chunk);
      const slots = Array.from({ length: 5 }, () => p.tryAcquire()!);
      expect(p.tryAcquire()).toBeUndefined();
      const spans = slots.map((s) => [s.frame.byteOffset, s.frame.byteOffset + s.frame.length] as const).sort((x, y) => x[0] - y[0]);
      for (const s of slots) {
        expect(s.data.byteOffset % 64).toBe(0);
        expect(s.data.length).toBe(chunk);
        expect(s.data.byteOffset - s.frame.byteOffset).toBe(45);
        expect(s.frame.buffer).toBe(p.sab);
      }
      for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
      expect(spans.at(-1)![1]).toBeLessThanOrEqual(p.sab.byteLength);
    }
  });
});
