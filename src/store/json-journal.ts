/**
 * JSON records over a byte Journal: one JSON document per record, checked on
 * the way out by an optional `parse` (e.g. a zod schema's `.parse`). Satisfies
 * the engine's `RecordLog<T>` (append / readAll / rewrite).
 */
import { EngineError } from '../common/errors.js';
import { journalError, type Journal } from './journal.js';

export class JsonJournal<T> {
  constructor(
    readonly journal: Journal,
    private readonly parse: (value: unknown) => T = (value) => value as T,
  ) {}

  append(record: T): Promise<void> {
    let bytes: Buffer;
    try {
      bytes = encode(record);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.journal.append(bytes);
  }

  async readAll(): Promise<T[]> {
    const out: T[] = [];
    for await (const r of this.records()) out.push(r);
    return out;
  }

  async *records(): AsyncGenerator<T, void, undefined> {
    let index = 0;
    for await (const bytes of this.journal.records()) {
      yield this.decode(bytes, index++);
    }
  }

  /** Replace everything: with `records`, or with what `transform` makes of the current records (appends held back). */
  async rewrite(input: readonly T[] | ((current: T[]) => readonly T[] | Promise<readonly T[]>)): Promise<void> {
    // Encoded one by one as the journal writes them: no second full copy of the records in memory.
    if (typeof input !== 'function') return this.journal.rewrite(encodeEach(input.slice()));
    return this.journal.rewrite(async (current) => {
      const next = await input(current.map((bytes, i) => this.decode(bytes, i)));
      return next.map(encode);
    });
  }

  close(): Promise<void> {
    return this.journal.close();
  }

  private decode(bytes: Buffer, index: number): T {
    let value: unknown;
    try {
      value = JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      throw journalError(`record ${index} of ${this.journal.path} is not JSON`, err);
    }
    try {
      return this.parse(value);
    } catch (err) {
      if (err instanceof EngineError) throw err;
      throw journalError(`record ${index} of ${this.journal.path} is not a valid record: ${(err as Error).message}`, err);
    }
  }
}

function* encodeEach(records: readonly unknown[]): Generator<Buffer> {
  for (const r of records) yield encode(r);
}

function encode(record: unknown): Buffer {
  let text: string | undefined;
  try {
    text = JSON.stringify(record);
  } catch (err) {
    throw journalError(`a journal record must be JSON-serialisable: ${(err as Error).message}`, err);
  }
  if (text === undefined) throw journalError('a journal record must be JSON-serialisable (got undefined or a function)');
  return Buffer.from(text, 'utf8');
}
