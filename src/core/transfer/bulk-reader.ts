/**
 * Receiver: the incremental parser of a bulk connection. Like FrameDecoder
 * (header checked against a cap before anything is buffered), but CHUNK data
 * is copied straight from the socket's reads (16 KiB each under TLS) into the
 * slot the consumer hands out, once, with no intermediate buffer. When the
 * consumer has no free slot the reader stalls, keeping what it was given, and
 * the caller pauses the socket until `resume()`.
 */
import { CHUNK_HEADER_BYTES } from '../../protocol/chunk-frame.js';
import { FRAME_HEADER_BYTES, FRAME_TYPE_CHUNK } from '../../protocol/constants.js';
import { ProtocolError } from '../../protocol/errors.js';
import {
  BULK_MESSAGE_TYPES,
  decodeMessage,
  messageFrameLimits,
  messageTypeOf,
  type BulkMessage,
} from '../../protocol/messages/index.js';

export interface BulkReaderSink {
  /**
   * A CHUNK header arrived. Return where its `dataLength` bytes go, or
   * undefined to stall until `resume()`. Throw to refuse the frame.
   * `sourceAlign` is the address of its first data byte in the read buffer,
   * modulo 8: a target with the same alignment is copied into word by word.
   */
  chunkStart(fileIndex: number, chunkIndex: number, hash: Buffer, dataLength: number, sourceAlign: number): Buffer | undefined;
  /** The data of the chunk last started is complete. */
  chunkEnd(): void;
  message(msg: BulkMessage): void;
}

type State = 'header' | 'chunk-header' | 'chunk-data' | 'message';

export class BulkReader {
  private queue: Buffer[] = [];
  private offset = 0;
  private state: State = 'header';
  private readonly scratch = Buffer.alloc(Math.max(FRAME_HEADER_BYTES, CHUNK_HEADER_BYTES));
  private have = 0;
  private need = FRAME_HEADER_BYTES;
  private frameType = 0;
  private target: Buffer | undefined;
  private message: Buffer | undefined;
  private stalled = false;
  /** Data length of the CHUNK being read, and its header until the sink gives it a destination. */
  private length = 0;
  private pendingHeader: { file: number; chunk: number; hash: Buffer } | undefined;

  constructor(
    private readonly sink: BulkReaderSink,
    /** Largest CHUNK data accepted (the transfer's chunk size). */
    private readonly maxChunkData: number,
  ) {}

  /** Feed bytes; false means stalled (pause the socket until resume() returns true). Throws ProtocolError. */
  push(buf: Buffer): boolean {
    if (buf.length > 0) this.queue.push(buf);
    return this.run();
  }

  /** Continue after a stall; true once all queued input is consumed. */
  resume(): boolean {
    return this.run();
  }

  get isStalled(): boolean {
    return this.stalled;
  }

  private run(): boolean {
    this.stalled = false;
    while (this.queue.length > 0) {
      const buf = this.queue[0]!;
      if (this.offset === buf.length) {
        this.queue.shift();
        this.offset = 0;
        continue;
      }
      const dest = this.destination(buf);
      if (!dest) {
        this.stalled = true;
        return false;
      }
      const n = Math.min(this.need - this.have, buf.length - this.offset);
      buf.copy(dest, this.have, this.offset, this.offset + n);
      this.offset += n;
      this.have += n;
      if (this.have === this.need) this.complete();
    }
    return true;
  }

  /** Where the next bytes (from `buf` at `this.offset`) go in the current state (undefined: stalled on a slot). */
  private destination(buf: Buffer): Buffer | undefined {
    switch (this.state) {
      case 'header':
      case 'chunk-header':
        return this.scratch;
      case 'chunk-data':
        if (!this.target) this.askForTarget((buf.byteOffset + this.offset) & 7);
        return this.target;
      case 'message':
        return this.message;
    }
  }

  private complete(): void {
    switch (this.state) {
      case 'header':
        return this.onHeader();
      case 'chunk-header':
        return this.onChunkHeader();
      case 'chunk-data':
        this.target = undefined;
        this.sink.chunkEnd();
        return this.expectHeader();
      case 'message': {
        const payload = this.message!;
        this.message = undefined;
        this.expectHeader();
        this.sink.message(decodeMessage({ type: this.frameType, payload }) as BulkMessage);
        return;
      }
    }
  }

  private expectHeader(): void {
    this.state = 'header';
    this.have = 0;
    this.need = FRAME_HEADER_BYTES;
  }

  private onHeader(): void {
    const type = this.scratch[0]!;
    const length = this.scratch.readUInt32BE(1);
    const hex = `0x${type.toString(16).padStart(2, '0')}`;
    this.frameType = type;
    this.have = 0;
    if (type === FRAME_TYPE_CHUNK) {
      if (length <= CHUNK_HEADER_BYTES || length > CHUNK_HEADER_BYTES + this.maxChunkData) {
        throw new ProtocolError('ERR_FRAME_TOO_LARGE', `CHUNK frame of ${length} bytes, allowed ${CHUNK_HEADER_BYTES + 1}..${CHUNK_HEADER_BYTES + this.maxChunkData}`);
      }
      this.state = 'chunk-header';
      this.need = CHUNK_HEADER_BYTES;
      this.length = length - CHUNK_HEADER_BYTES;
      return;
    }
    const msgType = messageTypeOf(type);
    if (!msgType || !(BULK_MESSAGE_TYPES as readonly string[]).includes(msgType)) {
      throw new ProtocolError('ERR_UNKNOWN_FRAME_TYPE', `frame type ${hex} does not belong on a bulk connection`);
    }
    if (length > messageFrameLimits(type)!) throw new ProtocolError('ERR_FRAME_TOO_LARGE', `frame ${hex} claims ${length} bytes`);
    this.state = 'message';
    this.need = length;
    this.message = Buffer.allocUnsafe(length);
    if (length === 0) this.complete();
  }

  private onChunkHeader(): void {
    this.pendingHeader = {
      file: this.scratch.readUInt32BE(0),
      chunk: this.scratch.readUInt32BE(4),
      hash: Buffer.from(this.scratch.subarray(8, CHUNK_HEADER_BYTES)),
    };
    this.state = 'chunk-data';
    this.have = 0;
    this.need = this.length;
  }

  /** Ask the sink for the current chunk's destination (again after a stall). */
  private askForTarget(sourceAlign: number): void {
    const h = this.pendingHeader!;
    const target = this.sink.chunkStart(h.file, h.chunk, h.hash, this.length, sourceAlign);
    if (!target) return;
    if (target.length < this.length) throw new RangeError('chunk target smaller than the chunk');
    this.pendingHeader = undefined;
    this.target = target;
  }
}
