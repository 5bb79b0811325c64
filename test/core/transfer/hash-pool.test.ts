/** SHA-256 off the main thread: shared views hashed in place, owned slots transferred there and back. */
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
  it('hashes shared slots in place and owned slots by transfer, giving the same digests as inline', async () => {
    pool = new HashPool();
    const data = pseudoRandom(300_000, 5);
    const shared = new SlotPool(2, 512 * 1024);
    const s = shared.tryAcquire()!;
    data.copy(s.data);
    expect((await pool.hash(s.data.subarray(0, data.length))).toString('hex')).toBe(sha(data));
    const owned = new SlotPool(2, 512 * 1024, false);
    const o = owned.tryAcquire()!;
    data.copy(o.data);
    const before = o.frame;
    const d = await pool.hashSlot(o, data.length);
    expect(d.toString('hex')).toBe(sha(data));
    expect(before.buffer.byteLength).toBe(0); // the old view went to the worker…
    expect(o.data.subarray(0, data.length).equals(data)).toBe(true); // …and the slot got its memory back
    const small = Buffer.from('tiny, hashed inline');
    expect((await pool.hash(small)).toString('hex')).toBe(sha(small));
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => pool!.hash(Buffer.from(shared.sab!, 0, 100_000 + i))));
    results.forEach((r, i) => expect(r.toString('hex')).toBe(sha(Buffer.from(shared.sab!, 0, 100_000 + i))));
  });

  it('fails pending jobs when closed, then hashes inline', async () => {
    pool = new HashPool();
    const shared = new SlotPool(1, 1024 * 1024);
    const pending = expect(pool.hash(shared.tryAcquire()!.data)).rejects.toThrow(/closed/);
    await pool.close();
    await pending;
    const after = await pool.hash(Buffer.from(shared.sab!, 0, 200_000));
    expect(after.toString('hex')).toBe(sha(Buffer.from(shared.sab!, 0, 200_000)));
  });
});
