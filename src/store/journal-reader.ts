/**
 * Reads records from a journal file, in order, through a read-ahead window,
 * and stops at the first record that is not whole and intact. `offset` is then
 * the end of the last good record and `stop` says why reading ended.
 */
import { MAX_RECORD_BYTES, RECORD_HEADER_BYTES, recordChecksum } from './journal-format.js';
import type { JournalFile } from './journal-io.js';

export type StopReason =
  | 'end' // clean end of file
  | 'short-header' // fewer than 8 bytes left
  | 'short-payload' // the length points past the end of the file
  | 'bad-length' // length above MAX_RECORD_BYTES
  | 'bad-checksum';

const READ_AHEAD = 256 * 1024;

export class RecordReader {
  /** End of the last good record. */
  offset: number;
  /** Good records read so far. */
  count = 0;
  /** Set once reading has ended. */
  stop: StopReason | undefined;
  private window = Buffer.alloc(0);
  private windowStart = 0;

  constructor(
    private readonly file: JournalFile,
    start: number,
    private readonly end: number,
  ) {
    this.offset = start;
  }

  /** The next record's payload (a copy), or undefined at the end or at damage. */
  async next(): Promise<Buffer | undefined> {
    if (this.stop) return undefined;
    const header = await this.bytes(this.offset, RECORD_HEADER_BYTES);
    if (!header) return this.halt(this.offset === this.end ? 'end' : 'short-header');
    const length = header.readUInt32BE(0);
    const crc = header.readUInt32BE(4);
    if (length > MAX_RECORD_BYTES) return this.halt('bad-length');
    const payload = await this.bytes(this.offset + RECORD_HEADER_BYTES, length);
    if (!payload) return this.halt('short-payload');
    if (recordChecksum(length, payload) !== crc) return this.halt('bad-checksum');
    this.offset += RECORD_HEADER_BYTES + length;
    this.count++;
    return Buffer.from(payload);
  }

  private halt(reason: StopReason): undefined {
    this.stop = reason;
    return undefined;
  }

  /** A view of [pos, pos + len), or undefined when that runs past `end` (or the file is shorter). */
  private async bytes(pos: number, len: number): Promise<Buffer | undefined> {
    if (pos + len > this.end) return undefined;
    const from = pos - this.windowStart;
    if (from >= 0 && from + len <= this.window.length) return this.window.subarray(from, from + len);
    const size = Math.min(Math.max(len, READ_AHEAD), this.end - pos);
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const n = await this.file.read(buf.subarray(got), pos + got);
      if (n === 0) break;
      got += n;
    }
    this.window = buf.subarray(0, got);
    this.windowStart = pos;
    return got >= len ? this.window.subarray(0, len) : undefined;
  }
}
