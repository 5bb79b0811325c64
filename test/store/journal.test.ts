import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RecordLog } from '../../src/core/record-log.js';
import { crc32Fallback, JOURNAL_HEADER, MAX_RECORD_BYTES, RECORD_HEADER_BYTES } from '../../src/store/journal-format.js';
import { nodeJournalIo } from '../../src/store/journal-io.js';
import { Journal } from '../../src/store/journal.js';
import { JsonJournal } from '../../src/store/json-journal.js';
import { memoryJournalIo } from '../../src/store/memory-journal-io.js';
import { errnoError, tracedIo } from './traced-io.js';
import { rejectedCode } from '../helpers/error-code.js';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'peerdeck-journal-'));
  file = path.join(dir, 'test.journal');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const rec = (i: number, size = 20 + (i % 7) * 13) => Buffer.alloc(size, i & 0xff).fill(String(i), 0, Math.min(size, 6));
const codeOf = rejectedCode;
const tick = () => new Promise((r) => setImmediate(r));
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(cond()).toBe(true);
}

async function writeJournal(records: Buffer[]): Promise<{ bytes: Buffer; starts: number[] }> {
  const j = await Journal.open(file);
  for (const r of records) await j.append(r);
  await j.close();
  const starts: number[] = [];
  let at = JOURNAL_HEADER.length;
  for (const r of records) {
    starts.push(at);
    at += RECORD_HEADER_BYTES + r.length;
  }
  const bytes = await readFile(file);
  expect(bytes.length).toBe(at);
  return { bytes, starts };
}

describe('appending and reading back', () => {
  it('round-trips records of many sizes (empty, tiny, past the read-ahead window) across reopen', async () => {
    const records = [Buffer.alloc(0), Buffer.from('a'), rec(2), Buffer.alloc(300_000, 7), rec(4), Buffer.alloc(70_000, 9)];
    const j = await Journal.open(file);
    expect(j.recovery).toEqual({ droppedBytes: 0, records: 0 });
    for (const r of records) await j.append(r);
    // Compared as hex: deep-equality over 300 kB buffers is slow in vitest.
    const hex = (bs: Buffer[]) => bs.map((b) => b.toString('hex'));
    expect(hex(await j.readAll())).toEqual(hex(records));
    await j.close();
    const again = await Journal.open(file);
    expect(again.recovery).toEqual({ droppedBytes: 0, records: records.length });
    expect(hex(await again.readAll())).toEqual(hex(records));
    expect(again.stats().records).toBe(records.length);
    expect(again.stats().bytes).toBe((await stat(file)).size);
    await again.close();
  });

  it('creates the file 0600', async () => {
    const j = await Journal.open(file);
    await j.close();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('concurrent appends all land, in call order, in one write and one sync', async () => {
    const io = tracedIo(nodeJournalIo);
    const j = await Journal.open(file, { io });
    io.log.length = 0;
    const records = Array.from({ length: 200 }, (_, i) => rec(i));
    await Promise.all(records.map((r) => j.append(r)));
    expect(io.log.filter((l) => l.startsWith('write'))).toHaveLength(1);
    expect(io.log.filter((l) => l === 'datasync end')).toHaveLength(1);
    await j.close();
    const again = await Journal.open(file);
    expect(await again.readAll()).toEqual(records);
    await again.close();
  });

  it('appends made while a sync is in flight go out together in the next batch', async () => {
    const io = tracedIo(memoryJournalIo());
    const j = await Journal.open(file, { io });
    io.log.length = 0;
    let open!: () => void;
    io.syncGate = new Promise((r) => (open = r));
    const first = j.append(rec(0));
    await tick();
    const rest = [1, 2, 3, 4].map((i) => j.append(rec(i)));
    await tick();
    io.syncGate = undefined;
    open();
    await Promise.all([first, ...rest]);
    expect(io.log.filter((l) => l.startsWith('write'))).toHaveLength(2);
    expect(io.log.filter((l) => l === 'datasync end')).toHaveLength(2);
    expect(await j.readAll()).toEqual([0, 1, 2, 3, 4].map((i) => rec(i)));
  });

  it('an append resolves only after its data is synced', async () => {
    const io = tracedIo(nodeJournalIo);
    const j = await Journal.open(file, { io });
    io.log.length = 0;
    let open!: () => void;
    io.syncGate = new Promise((r) => (open = r));
    let resolved = false;
    const p = j.append(rec(1)).then(() => {
      resolved = true;
      io.log.push('resolved');
    });
    await until(() => io.log.includes('datasync start'));
    for (let i = 0; i < 5; i++) await tick();
    expect(io.log).toEqual([`write ${RECORD_HEADER_BYTES + rec(1).length}`, 'datasync start']);
    expect(resolved).toBe(false);
    open();
    await p;
    expect(io.log).toEqual([`write ${RECORD_HEADER_BYTES + rec(1).length}`, 'datasync start', 'datasync end', 'resolved']);
    await j.close();
  });

  it('splits a burst bigger than one batch into several write + sync rounds, still in order', async () => {
    const io = tracedIo(memoryJournalIo());
    const j = await Journal.open(file, { io });
    io.log.length = 0;
    const big = [1, 2, 3].map((i) => Buffer.alloc(5 * 1024 * 1024, i));
    await Promise.all(big.map((r) => j.append(r)));
    expect(io.log.filter((l) => l.startsWith('write'))).toHaveLength(3);
    const back = await j.readAll();
    expect(back.map((b) => [b.length, b[0]])).toEqual(big.map((b) => [b.length, b[0]]));
  });

  it('refuses a record over the cap with ERR_JOURNAL and stays usable', async () => {
    const j = await Journal.open(file, { io: memoryJournalIo() });
    expect(await codeOf(j.append(Buffer.alloc(MAX_RECORD_BYTES + 1)))).toBe('ERR_JOURNAL');
    await j.append(rec(1));
    expect(await j.readAll()).toEqual([rec(1)]);
  });

  it('after close, appends reject with ERR_JOURNAL; appends made before close still land', async () => {
    const j = await Journal.open(file);
    const early = j.append(rec(1));
    const closed = j.close();
    expect(await codeOf(j.append(rec(2)))).toBe('ERR_JOURNAL');
    await early;
    await closed;
    const again = await Journal.open(file);
    expect(await again.readAll()).toEqual([rec(1)]);
    await again.close();
  });
});

describe('crash safety on open', () => {
  const N = 6;
  const records = Array.from({ length: N }, (_, i) => rec(i, 40 + i));

  it('a copy cut at every byte offset inside the last record reopens to the records before it', async () => {
    const { bytes, starts } = await writeJournal(records);
    const lastStart = starts[N - 1]!;
    for (let cut = lastStart; cut < bytes.length; cut++) {
      const copy = path.join(dir, `cut-${cut}.journal`);
      await writeFile(copy, bytes.subarray(0, cut));
      const j = await Journal.open(copy);
      expect(await j.readAll(), `cut at ${cut}`).toEqual(records.slice(0, N - 1));
      expect(j.recovery.droppedBytes).toBe(cut - lastStart);
      expect(j.recovery.reason).toBe(cut === lastStart ? undefined : cut - lastStart < RECORD_HEADER_BYTES ? 'short-header' : 'short-payload');
      await j.close();
      expect((await stat(copy)).size).toBe(lastStart);
    }
  });

  it('a flipped byte anywhere in the last record is caught; earlier records survive and appends continue', async () => {
    const { bytes, starts } = await writeJournal(records);
    const lastStart = starts[N - 1]!;
    for (let at = lastStart; at < bytes.length; at++) {
      const copy = path.join(dir, `flip-${at}.journal`);
      const damaged = Buffer.from(bytes);
      damaged[at] = damaged[at]! ^ 0x20;
      await writeFile(copy, damaged);
      const j = await Journal.open(copy);
      expect(await j.readAll(), `flip at ${at}`).toEqual(records.slice(0, N - 1));
      expect(j.recovery.droppedBytes).toBe(bytes.length - lastStart);
      expect((await stat(copy)).size).toBe(lastStart);
      await j.append(Buffer.from('after'));
      await j.close();
      const again = await Journal.open(copy);
      expect(await again.readAll()).toEqual([...records.slice(0, N - 1), Buffer.from('after')]);
      await again.close();
    }
  });

  it('a flipped payload byte reports a checksum failure', async () => {
    const { bytes, starts } = await writeJournal(records);
    const damaged = Buffer.from(bytes);
    const at = starts[N - 1]! + RECORD_HEADER_BYTES + 3;
    damaged[at] = damaged[at]! ^ 0x01;
    await writeFile(file, damaged);
    const j = await Journal.open(file);
    expect(j.recovery.reason).toBe('bad-checksum');
    await j.close();
  });

  it('zeros where the last record should be (unwritten blocks) are dropped', async () => {
    const { bytes } = await writeJournal(records);
    await writeFile(file, Buffer.concat([bytes, Buffer.alloc(4096)]));
    const j = await Journal.open(file);
    expect(await j.readAll()).toEqual(records);
    expect(j.recovery.droppedBytes).toBe(4096);
    await j.close();
  });

  it('a torn header reopens as an empty journal', async () => {
    await writeFile(file, JOURNAL_HEADER.subarray(0, 3));
    const j = await Journal.open(file);
    expect(await j.readAll()).toEqual([]);
    await j.append(rec(1));
    await j.close();
    const again = await Journal.open(file);
    expect(await again.readAll()).toEqual([rec(1)]);
    await again.close();
  });

  it('refuses a file that is not a journal, and leaves it untouched', async () => {
    for (const content of ['{"not":"a journal"}', 'PX', 'PDJRNL\u0000\u0009 from the future']) {
      await writeFile(file, content);
      expect(await codeOf(Journal.open(file))).toBe('ERR_JOURNAL');
      expect(await readFile(file, 'utf8')).toBe(content);
    }
  });

  it('property: any cut anywhere keeps exactly the records that ended before it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 12 }),
        fc.nat(),
        async (payloads, cutSeed) => {
          const io = memoryJournalIo();
          const j = await Journal.open('/m/p.journal', { io });
          for (const p of payloads) await j.append(p);
          await j.close();
          const { file: f } = await io.open('/m/p.journal', 'if-missing');
          const size = await f.size();
          const cut = JOURNAL_HEADER.length + (cutSeed % (size - JOURNAL_HEADER.length + 1));
          await f.truncate(cut);
          await f.close();
          const again = await Journal.open('/m/p.journal', { io });
          let end = JOURNAL_HEADER.length;
          const kept = payloads.filter((p) => (end += RECORD_HEADER_BYTES + p.length) <= cut);
          expect((await again.readAll()).map((b) => new Uint8Array(b))).toEqual(kept);
          expect(again.stats().bytes + again.recovery.droppedBytes).toBe(cut);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('failures while appending', () => {
  it('a failed write (ENOSPC) rejects its batch, is cut back off the file, and later appends work', async () => {
    const io = tracedIo(nodeJournalIo);
    const j = await Journal.open(file, { io });
    await j.append(rec(1));
    io.failNextWrite = { error: errnoError('ENOSPC'), partialBytes: 5 };
    expect(await codeOf(j.append(rec(2)))).toBe('ERR_JOURNAL');
    await j.append(rec(3));
    await j.close();
    const again = await Journal.open(file);
    expect(again.recovery.droppedBytes).toBe(0);
    expect(await again.readAll()).toEqual([rec(1), rec(3)]);
    await again.close();
  });

  it('a failed sync poisons the journal until it is reopened', async () => {
    const io = tracedIo(nodeJournalIo);
    const j = await Journal.open(file, { io });
    io.failNextSync = errnoError('EIO');
    expect(await codeOf(j.append(rec(1)))).toBe('ERR_JOURNAL');
    expect(await codeOf(j.append(rec(2)))).toBe('ERR_JOURNAL');
    await j.close();
  });
});

describe('rewrite (compaction)', () => {
  it('replaces the content via temp file, sync, rename, directory sync, and leaves no temp', async () => {
    const io = tracedIo(nodeJournalIo);
    const j = await Journal.open(file, { io });
    for (let i = 0; i < 10; i++) await j.append(rec(i));
    io.log.length = 0;
    await j.rewrite([rec(3), rec(7)]);
    expect(io.log).toEqual(['open exclusive', `write ${io.log[1]!.slice(6)}`, 'datasync start', 'datasync end', 'rename', 'syncDir']);
    expect(await j.readAll()).toEqual([rec(3), rec(7)]);
    await j.append(rec(11));
    await j.close();
    expect(await readdir(dir)).toEqual(['test.journal']);
    const again = await Journal.open(file);
    expect(await again.readAll()).toEqual([rec(3), rec(7), rec(11)]);
    expect(again.stats().records).toBe(3);
    await again.close();
  });

  it('a crash before the rename leaves the old journal, and the stray temp is removed on open', async () => {
    await writeJournal([rec(1), rec(2)]);
    await writeFile(`${file}.tmp-deadbeef`, 'half a compaction');
    const j = await Journal.open(file);
    expect(await j.readAll()).toEqual([rec(1), rec(2)]);
    expect(await readdir(dir)).toEqual(['test.journal']);
    await j.close();
  });

  it('the function form holds appends back, so none is lost between read and rewrite', async () => {
    const j = await Journal.open(file, { io: memoryJournalIo() });
    for (let i = 0; i < 5; i++) await j.append(rec(i));
    const compaction = j.rewrite((current) => current.filter((_, i) => i % 2 === 0));
    const late = j.append(rec(99));
    await Promise.all([compaction, late]);
    expect(await j.readAll()).toEqual([rec(0), rec(2), rec(4), rec(99)]);
  });

  it('the list form: an append made before the call goes to the old file, one made after it to the new file', async () => {
    const j = await Journal.open(file, { io: memoryJournalIo() });
    await j.append(rec(0));
    const before = j.append(rec(1)); // its flush is queued, not yet run
    const compaction = j.rewrite([rec(7)]);
    const after = j.append(rec(8)); // joined the queued flush before the fix, and was lost with the old file
    await Promise.all([before, compaction, after]);
    expect(await j.readAll()).toEqual([rec(7), rec(8)]);
    expect(j.stats().records).toBe(2);
  });

  it('an iteration running during a rewrite sees its own snapshot to the end', async () => {
    const j = await Journal.open(file);
    for (let i = 0; i < 4; i++) await j.append(rec(i));
    const seen: Buffer[] = [];
    for await (const r of j.records()) {
      if (seen.length === 0) await j.rewrite([rec(42)]);
      seen.push(r);
    }
    expect(seen).toEqual([0, 1, 2, 3].map((i) => rec(i)));
    expect(await j.readAll()).toEqual([rec(42)]);
    await j.close();
  });

  it('refuses an oversize record and keeps the old content', async () => {
    const j = await Journal.open(file, { io: memoryJournalIo() });
    await j.append(rec(1));
    expect(await codeOf(j.rewrite([Buffer.alloc(MAX_RECORD_BYTES + 1)]))).toBe('ERR_JOURNAL');
    expect(await j.readAll()).toEqual([rec(1)]);
  });
});

describe('checksum', () => {
  it('the fallback CRC-32 equals zlib.crc32, chained or not', () => {
    expect(crc32Fallback(Buffer.from('123456789'))).toBe(0xcbf43926);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 50 }), (a, b) => {
        expect(crc32Fallback(a)).toBe(zlib.crc32(a));
        expect(crc32Fallback(b, crc32Fallback(a))).toBe(zlib.crc32(b, zlib.crc32(a)));
      }),
    );
  });
});

describe('JSON layer', () => {
  type Msg = { id: string; n: number };
  const parseMsg = (v: unknown): Msg => {
    const m = v as Msg;
    if (typeof m?.id !== 'string' || typeof m.n !== 'number') throw new Error('not a Msg');
    return m;
  };

  it('round-trips typed records and is a RecordLog', async () => {
    const log: RecordLog<Msg> = new JsonJournal<Msg>(await Journal.open(file), parseMsg);
    await log.append({ id: 'a', n: 1 });
    await log.append({ id: 'b', n: 2 });
    await log.rewrite([{ id: 'b', n: 2 }]);
    await log.append({ id: 'c', n: 3 });
    expect(await log.readAll()).toEqual([
      { id: 'b', n: 2 },
      { id: 'c', n: 3 },
    ]);
  });

  it('rewrite with a transform works on decoded records', async () => {
    const j = new JsonJournal<Msg>(await Journal.open(file, { io: memoryJournalIo() }), parseMsg);
    for (let n = 0; n < 4; n++) await j.append({ id: `m${n}`, n });
    await j.rewrite((all) => all.filter((m) => m.n >= 2));
    expect((await j.readAll()).map((m) => m.id)).toEqual(['m2', 'm3']);
  });

  it('a record the parser rejects surfaces as ERR_JOURNAL; undefined cannot be appended', async () => {
    const raw = await Journal.open(file, { io: memoryJournalIo() });
    await raw.append(Buffer.from('{"id":1}'));
    const j = new JsonJournal<Msg>(raw, parseMsg);
    expect(await codeOf(j.readAll())).toBe('ERR_JOURNAL');
    expect(await codeOf(j.append(undefined as unknown as Msg))).toBe('ERR_JOURNAL');
    expect(await codeOf(j.append({ id: 'x', n: 1n } as unknown as Msg))).toBe('ERR_JOURNAL');
    expect(await codeOf(j.rewrite([{ id: 'x', n: 1n } as unknown as Msg]))).toBe('ERR_JOURNAL');
    await raw.rewrite([Buffer.from('not json')]);
    expect(await codeOf(j.readAll())).toBe('ERR_JOURNAL');
  });
});
