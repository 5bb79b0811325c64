/**
 * Incremental frame decoder: bytes in (any split, any coalescing), whole frames out.
 *
 * A two-state machine (HEADER, PAYLOAD) over a queue of the pushed buffers:
 * - The type byte and length are checked against the caller's limits the moment
 *   the 5-byte header is complete, before a payload byte is buffered or allocated.
 * - A payload that lies inside one pushed buffer is returned as a `subarray`
 *   (no copy); only a payload spanning several buffers is copied, once.
 * - Pending input is a queue of buffers with a read cursor, never re-concatenated,
 *   so total work is linear in the bytes pushed whatever the split.
 *
 * Payloads may alias pushed buffers: do not mutate a buffer after pushing it.
 * After an error the decoder is dead: it drops its buffers (and any frames the
 * same push had completed) and rethrows the same error on every later call;
 * the connection is to be closed.
 */
import { FRAME_HEADER_BYTES } from './constants.js';
import { ProtocolError } from './errors.js';
import type { Frame, FrameLimits } from './frame.js';

const EMPTY = Buffer.alloc(0);

export class FrameDecoder {
  readonly #limits: FrameLimits;
  #queue: Buffer[] = [];
  /** Index of the first live buffer in #queue. */
  #first = 0;
  /** Read position inside #queue[#first]. */
  #offset = 0;
  /** Unread bytes across the queue. */
  #buffered = 0;
  /** Type and length of the frame whose payload is awaited; -1 while reading a header. */
  #type = -1;
  #length = 0;
  #error: ProtocolError | undefined;
  readonly #header = Buffer.alloc(FRAME_HEADER_BYTES);

  constructor(limits: FrameLimits) {
    this.#limits = limits;
  }

  /** Bytes held but not yet returned as frames (never more than one frame's worth plus the current input). */
  get bufferedBytes(): number {
    return this.#buffered;
  }

  /** Feed the next piece of input; returns every frame it completes, in order. */
  push(input: Buffer): Frame[] {
    if (this.#error) throw this.#error;
    if (input.length > 0) {
      this.#queue.push(input);
      this.#buffered += input.length;
    }
    const frames: Frame[] = [];
    for (;;) {
      if (this.#type < 0) {
        if (this.#buffered < FRAME_HEADER_BYTES) break; // not enough data, wait for more
        this.#readHeader();
      }
      if (this.#buffered < this.#length) break; // payload incomplete, wait for more
      frames.push({ type: this.#type, payload: this.#take(this.#length) });
      this.#type = -1;
    }
    if (this.#first === this.#queue.length) {
      this.#queue = [];
      this.#first = 0;
    } else if (this.#first > 32 && this.#first * 2 > this.#queue.length) {
      // Misaligned reads keep a partial buffer queued forever: drop the consumed slots (amortised O(1)).
      this.#queue = this.#queue.slice(this.#first);
      this.#first = 0;
    }
    return frames;
  }

  /** Call at end of input: throws ERR_TRUNCATED_FRAME if a frame was cut short. */
  end(): void {
    if (this.#error) throw this.#error;
    if (this.#buffered > 0 || this.#type >= 0) {
      throw this.#fail(new ProtocolError('ERR_TRUNCATED_FRAME', `input ended inside a frame (${this.#buffered} bytes pending)`));
    }
  }

  #readHeader(): void {
    const head = this.#take(FRAME_HEADER_BYTES, this.#header);
    const type = head[0]!;
    const length = head.readUInt32BE(1);
    const max = this.#limits(type);
    if (max === undefined) {
      throw this.#fail(new ProtocolError('ERR_UNKNOWN_FRAME_TYPE', `unknown frame type 0x${type.toString(16).padStart(2, '0')}`));
    }
    if (length > max) {
      throw this.#fail(new ProtocolError('ERR_FRAME_TOO_LARGE', `frame type 0x${type.toString(16).padStart(2, '0')} claims ${length} bytes, cap is ${max}`));
    }
    this.#type = type;
    this.#length = length;
  }

  /**
   * Remove `n` (≤ #buffered) bytes from the front of the queue: a view when they
   * sit in one buffer, else one copy (into `scratch` when given, for headers).
   */
  #take(n: number, scratch?: Buffer): Buffer {
    if (n === 0) return EMPTY;
    this.#buffered -= n;
    const head = this.#queue[this.#first]!;
    if (head.length - this.#offset >= n) {
      const out = head.subarray(this.#offset, this.#offset + n);
      this.#advance(head, n);
      return out;
    }
    const out = scratch ?? Buffer.allocUnsafe(n);
    let written = 0;
    while (written < n) {
      const buf = this.#queue[this.#first]!;
      const count = Math.min(buf.length - this.#offset, n - written);
      buf.copy(out, written, this.#offset, this.#offset + count);
      written += count;
      this.#advance(buf, count);
    }
    return out;
  }

  #advance(buf: Buffer, count: number): void {
    this.#offset += count;
    if (this.#offset === buf.length) {
      this.#queue[this.#first] = EMPTY; // release the reference early
      this.#first += 1;
      this.#offset = 0;
    }
  }

  /** Poison the decoder and drop what it holds; returns the error for the caller to throw. */
  #fail(err: ProtocolError): ProtocolError {
    this.#error = err;
    this.#queue = [];
    this.#first = 0;
    this.#offset = 0;
    this.#buffered = 0;
    this.#type = -1;
    return err;
  }
}
