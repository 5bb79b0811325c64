/**
 * An append-only journal of byte records (format: journal-format.ts).
 *
 * - `append` resolves only once the record is written and fdatasync'ed.
 *   Appends that arrive while a write is in flight are batched into the next
 *   single write + single sync (group commit), in call order.
 * - `open` scans the file and truncates a torn or damaged tail (short header,
 *   short payload, absurd length, bad checksum) back to the last good record;
 *   `recovery` reports what was dropped. A file that is not a journal (wrong
 *   magic or version) is refused, never truncated.
 * - `rewrite` (compaction) writes a temp file, syncs it, renames it over the
 *   journal and syncs the directory: a crash leaves the old or the new file.
 * - Reads see records whose append has resolved. `records()` iterates a
 *   snapshot: a rewrite during the iteration does not disturb it.
 *
 * One Journal object per file: two in one process, or two processes on the
 * same file, would interleave writes (the engine lock keeps processes apart;
 * JournalDirectory refuses a second open).
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { EngineError } from '../common/errors.js';
import { encodeRecord, JOURNAL_HEADER, MAX_RECORD_BYTES } from './journal-format.js';
import { nodeJournalIo, type JournalFile, type JournalIo } from './journal-io.js';
import { RecordReader, type StopReason } from './journal-reader.js';

export interface JournalRecovery {
  /** Bytes cut from the end of the file when it was opened (0 if it was clean). */
  readonly droppedBytes: number;
  /** Why the tail was cut; undefined when nothing was. */
  readonly reason?: Exclude<StopReason, 'end'>;
  /** Records kept. */
  readonly records: number;
}

export interface JournalOptions {
  io?: JournalIo;
  /** Called once the journal has closed. */
  onClose?: () => void;
}

/** Largest single group-commit write; a bigger burst is split over several write + sync rounds. */
const MAX_BATCH_BYTES = 8 * 1024 * 1024;

export type RewriteInput = Iterable<Uint8Array> | ((current: Buffer[]) => Iterable<Uint8Array> | Promise<Iterable<Uint8Array>>);

interface Pending {
  record: Buffer;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** A file handle shared by the journal and running iterations; closed when the last one lets go. */
class SharedFile {
  private refs = 1;
  constructor(readonly file: JournalFile) {}
  acquire(): this {
    this.refs++;
    return this;
  }
  async release(): Promise<void> {
    if (--this.refs === 0) await this.file.close();
  }
}

export class Journal {
  private pending: Pending[] = [];
  private flushQueued = false;
  private chain: Promise<void> = Promise.resolve();
  private closing = false;
  /** Set after a failed sync: the kernel's view of the file is unknown, so no more appends. */
  private broken: EngineError | undefined;

  private constructor(
    readonly path: string,
    private readonly io: JournalIo,
    private shared: SharedFile,
    private end: number,
    private count: number,
    readonly recovery: JournalRecovery,
    private readonly onClose: (() => void) | undefined,
  ) {}

  /** Open (creating if missing) and recover the journal at `file`. */
  static async open(file: string, options: JournalOptions = {}): Promise<Journal> {
    const io = options.io ?? nodeJournalIo;
    await removeStaleTemps(io, file);
    const { file: handle, created } = await io.open(file, 'if-missing').catch((err: unknown) => {
      throw journalError(`cannot open journal ${file}: ${(err as Error).message}`, err);
    });
    try {
      let size = await handle.size();
      if (size < JOURNAL_HEADER.length) {
        // New, or a crash tore the header: nothing was ever recorded here.
        const head = Buffer.alloc(size);
        await handle.read(head, 0);
        if (!head.equals(JOURNAL_HEADER.subarray(0, size))) throw journalError(`${file} is not a peerdeck journal`);
        await handle.write(JOURNAL_HEADER, 0);
        await handle.datasync();
        if (created) await io.syncDir(path.dirname(file));
        size = JOURNAL_HEADER.length;
      } else {
        const head = Buffer.alloc(JOURNAL_HEADER.length);
        await handle.read(head, 0);
        if (!head.equals(JOURNAL_HEADER)) throw journalError(`${file} is not a peerdeck journal (or a newer version)`);
      }
      const reader = new RecordReader(handle, JOURNAL_HEADER.length, size);
      while (await reader.next());
      let recovery: JournalRecovery = { droppedBytes: 0, records: reader.count };
      if (reader.offset < size) {
        await handle.truncate(reader.offset);
        await handle.datasync();
        recovery = { droppedBytes: size - reader.offset, reason: reader.stop as JournalRecovery['reason'], records: reader.count };
      }
      return new Journal(file, io, new SharedFile(handle), reader.offset, reader.count, recovery, options.onClose);
    } catch (err) {
      await handle.close();
      if (err instanceof EngineError) throw err;
      throw journalError(`cannot read journal ${file}: ${(err as Error).message}`, err);
    }
  }

  /** Durable size in bytes (header included) and number of records. */
  stats(): { bytes: number; records: number } {
    return { bytes: this.end, records: this.count };
  }

  /** Append one record; resolves once it is on disk. */
  append(payload: Uint8Array): Promise<void> {
    if (this.closing) return Promise.reject(journalError(`journal ${this.path} is closed`));
    if (this.broken) return Promise.reject(this.broken);
    if (payload.length > MAX_RECORD_BYTES) {
      return Promise.reject(journalError(`record of ${payload.length} bytes is over the ${MAX_RECORD_BYTES}-byte cap`));
    }
    const record = encodeRecord(payload); // a copy: the caller may reuse its buffer
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ record, resolve, reject });
      this.scheduleFlush();
    });
  }

  /** Every durable record, in order. */
  async readAll(): Promise<Buffer[]> {
    const out: Buffer[] = [];
    for await (const r of this.records()) out.push(r);
    return out;
  }

  /** Iterate the records durable when the iteration starts (streamed, not all in memory). */
  async *records(): AsyncGenerator<Buffer, void, undefined> {
    if (this.closing) throw journalError(`journal ${this.path} is closed`);
    const shared = this.shared.acquire();
    try {
      const reader = new RecordReader(shared.file, JOURNAL_HEADER.length, this.end);
      for (;;) {
        const r = await reader.next();
        if (!r) break;
        yield r;
      }
      if (reader.stop !== 'end') throw journalError(`journal ${this.path} changed under a reader (${reader.stop})`);
    } finally {
      await shared.release();
    }
  }

  /**
   * Replace the whole content (compaction). Pass the records, or a function
   * that gets the current records and returns the new ones: the function form
   * runs with appends held back, so none can slip in between read and rewrite.
   * Appends made before this call are flushed to the old file first.
   */
  rewrite(input: RewriteInput): Promise<void> {
    if (this.closing) return Promise.reject(journalError(`journal ${this.path} is closed`));
    // Appends made before this call go to the old file (their flush is already queued, bound to
    // this list); appends made after it start a new list and land in the new file.
    this.pending = [];
    this.flushQueued = false;
    return this.exclusive(async () => {
      const records = typeof input === 'function' ? await input(await this.readAll()) : input;
      const tmp = `${this.path}.tmp-${randomBytes(6).toString('hex')}`;
      const { file } = await this.io.open(tmp, 'exclusive');
      let end: number;
      let count: number;
      try {
        ({ end, count } = await writeAllRecords(file, records));
        await file.datasync();
        await this.io.rename(tmp, this.path);
      } catch (err) {
        await file.close();
        await this.io.unlink(tmp).catch(() => undefined);
        throw err instanceof EngineError ? err : journalError(`rewrite of ${this.path} failed: ${(err as Error).message}`, err);
      }
      await this.io.syncDir(path.dirname(this.path));
      const old = this.shared;
      this.shared = new SharedFile(file);
      this.end = end;
      this.count = count;
      this.broken = undefined;
      await old.release();
    });
  }

  /** Flush what was appended, then close. Later appends reject with ERR_JOURNAL. */
  close(): Promise<void> {
    if (this.closing) return this.chain;
    this.closing = true;
    return this.exclusive(async () => {
      try {
        await this.shared.release();
      } finally {
        this.onClose?.();
      }
    });
  }

  /** Run `op` after everything queued before it (flushes, rewrites, close). */
  private exclusive<T>(op: () => Promise<T>): Promise<T> {
    const run = this.chain.then(op);
    this.chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private scheduleFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    const list = this.pending;
    void this.exclusive(() => this.flush(list));
  }

  /**
   * Write and sync what is pending in `list` (up to MAX_BATCH_BYTES per write + sync). The
   * current list leaves the rest to the next flush; a list a rewrite has closed off is written
   * out to the end here, before that rewrite runs.
   */
  private async flush(list: Pending[]): Promise<void> {
    if (list === this.pending) this.flushQueued = false;
    do await this.flushBatch(list);
    while (list !== this.pending && list.length > 0);
    if (list === this.pending && list.length > 0) this.scheduleFlush();
  }

  private async flushBatch(list: Pending[]): Promise<void> {
    let n = 0;
    let bytes = 0;
    for (const p of list) {
      if (n > 0 && bytes + p.record.length > MAX_BATCH_BYTES) break;
      bytes += p.record.length;
      n++;
    }
    const batch = list.splice(0, n);
    if (batch.length === 0) return;
    try {
      if (this.broken) throw this.broken;
      const data = batch.length === 1 ? batch[0]!.record : Buffer.concat(batch.map((p) => p.record), bytes);
      const file = this.shared.file;
      try {
        await file.write(data, this.end);
      } catch (err) {
        // Cut off whatever part made it, so the next batch starts at a record boundary.
        await file.truncate(this.end).catch(() => {
          this.broken = journalError(`journal ${this.path} could not be repaired after a failed write; reopen it`, err);
        });
        throw journalError(`append to ${this.path} failed: ${(err as Error).message}`, err);
      }
      try {
        await file.datasync();
      } catch (err) {
        this.broken = journalError(`fsync of ${this.path} failed; reopen the journal: ${(err as Error).message}`, err);
        throw this.broken;
      }
      this.end += data.length;
      this.count += batch.length;
      for (const p of batch) p.resolve();
    } catch (err) {
      for (const p of batch) p.reject(err as Error);
    }
  }
}

async function writeAllRecords(file: JournalFile, records: Iterable<Uint8Array>): Promise<{ end: number; count: number }> {
  const CHUNK = 1024 * 1024;
  let parts: Buffer[] = [JOURNAL_HEADER];
  let partsBytes = JOURNAL_HEADER.length;
  let end = 0;
  let count = 0;
  const drain = async () => {
    const data = Buffer.concat(parts, partsBytes);
    await file.write(data, end);
    end += data.length;
    parts = [];
    partsBytes = 0;
  };
  for (const payload of records) {
    if (payload.length > MAX_RECORD_BYTES) {
      throw journalError(`record of ${payload.length} bytes is over the ${MAX_RECORD_BYTES}-byte cap`);
    }
    const record = encodeRecord(payload);
    parts.push(record);
    partsBytes += record.length;
    count++;
    if (partsBytes >= CHUNK) await drain();
  }
  await drain();
  return { end, count };
}

/** Temp files from a rewrite that crashed before its rename. */
async function removeStaleTemps(io: JournalIo, file: string): Promise<void> {
  const prefix = `${path.basename(file)}.tmp-`;
  const names = await io.list(path.dirname(file)).catch(() => [] as string[]);
  for (const name of names) {
    if (name.startsWith(prefix)) await io.unlink(path.join(path.dirname(file), name)).catch(() => undefined);
  }
}

export function journalError(message: string, cause?: unknown): EngineError {
  return new EngineError('ERR_JOURNAL', message, 'local', cause === undefined ? undefined : { cause });
}
