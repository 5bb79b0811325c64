/**
 * Model-based crash test: a file system that keeps only what was synced (plus
 * a torn piece of what was not) when it "loses power" at a random moment while
 * appends are streaming in. After every crash the journal must reopen, hold a
 * prefix of what was appended, and hold every record whose append resolved.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JournalFile, JournalIo } from '../../src/store/journal-io.js';
import { Journal } from '../../src/store/journal.js';
import { memoryJournalIo } from '../../src/store/memory-journal-io.js';

interface Disk {
  live: Buffer;
  durable: Buffer;
}

/** Appends and truncations change `live`; datasync copies it to `durable` (after a macrotask, so crashes can land mid-sync). */
function crashableIo(disks = new Map<string, Disk>()): JournalIo & { crash(tornBytes: number): JournalIo } {
  const fileOf = (d: Disk): JournalFile => ({
    async read(into, pos) {
      return d.live.copy(into, 0, pos, Math.min(d.live.length, pos + into.length));
    },
    async write(data, pos) {
      const end = Math.max(d.live.length, pos + data.length);
      const next = Buffer.alloc(end);
      d.live.copy(next);
      data.copy(next, pos);
      d.live = next;
    },
    async datasync() {
      await new Promise((r) => setImmediate(r));
      d.durable = Buffer.from(d.live);
    },
    async truncate(len) {
      d.live = Buffer.from(d.live.subarray(0, len));
    },
    async size() {
      return d.live.length;
    },
    async close() {},
  });
  const base = memoryJournalIo();
  return {
    ...base,
    async open(file, create) {
      let d = disks.get(file);
      if (d && create === 'exclusive') throw Object.assign(new Error('EEXIST'), { code: 'EEXIST' });
      const created = !d;
      if (!d) disks.set(file, (d = { live: Buffer.alloc(0), durable: Buffer.alloc(0) }));
      return { file: fileOf(d), created };
    },
    async list() {
      return [];
    },
    crash(tornBytes) {
      const after = new Map<string, Disk>();
      for (const [name, d] of disks) {
        const unsynced = d.live.length > d.durable.length ? d.live.subarray(d.durable.length) : Buffer.alloc(0);
        const image = Buffer.concat([d.durable, unsynced.subarray(0, tornBytes)]);
        after.set(name, { live: Buffer.from(image), durable: Buffer.from(image) });
      }
      return crashableIo(after);
    },
  };
}

describe('journal under simulated power loss', () => {
  it('reopens to a prefix that holds every acknowledged append', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 48 }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 40 }),
        fc.nat(30),
        fc.nat(200),
        async (payloads, perTick, crashTick, tornBytes) => {
          const io = crashableIo();
          const j = await Journal.open('/d/x.journal', { io });
          let acked = 0;
          let next = 0;
          for (let t = 0; t < crashTick && next < payloads.length; t++) {
            for (let k = 0; k < (perTick[t % perTick.length] ?? 1) && next < payloads.length; k++) {
              const i = next++;
              void j.append(payloads[i]!).then(() => (acked = Math.max(acked, i + 1)));
            }
            await new Promise((r) => setImmediate(r));
          }
          const ackedAtCrash = acked;
          const after = await Journal.open('/d/x.journal', { io: io.crash(tornBytes) });
          const got = (await after.readAll()).map((b) => Buffer.from(b).toString('hex'));
          expect(got.length).toBeGreaterThanOrEqual(ackedAtCrash);
          expect(got).toEqual(payloads.slice(0, got.length).map((p) => Buffer.from(p).toString('hex')));
        },
      ),
      { numRuns: 400 },
    );
  });
});
