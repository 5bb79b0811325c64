/**
 * Frame layout, in one place:
 *
 *   offset 0   u8      frame type (see messages/index.ts for the table)
 *   offset 1   u32 BE  payload length in bytes
 *   offset 5   ...     payload
 *
 * Encoding only; the incremental decoder lives in frame-decoder.ts.
 */
import { FRAME_HEADER_BYTES, MAX_U32 } from './constants.js';
import { ProtocolError } from './errors.js';

/** One decoded frame. `payload` may be a view into the buffer that was pushed into the decoder. */
export interface Frame {
  readonly type: number;
  readonly payload: Buffer;
}

/**
 * Per-type payload cap: returns the largest payload allowed for `type`, or
 * `undefined` when the type byte is unknown. The decoder consults it as soon as
 * a header is complete.
 */
export type FrameLimits = (type: number) => number | undefined;

function checkHeaderFields(type: number, length: number): void {
  if (!Number.isInteger(type) || type < 0 || type > 0xff) {
    throw new ProtocolError('ERR_UNKNOWN_FRAME_TYPE', `frame type must be a byte, got ${type}`);
  }
  if (!Number.isInteger(length) || length < 0 || length > MAX_U32) {
    throw new ProtocolError('ERR_FRAME_TOO_LARGE', `frame payload length must be a u32, got ${length}`);
  }
}

/**
 * Write the 5-byte header into `target` at `offset` and return the offset just
 * after it. For the hot path: a sender reserves FRAME_HEADER_BYTES in front of
 * its (reused) chunk buffer and fills them here, with no allocation per chunk.
 */
export function writeFrameHeader(target: Uint8Array, offset: number, type: number, length: number): number {
  checkHeaderFields(type, length);
  if (offset < 0 || offset + FRAME_HEADER_BYTES > target.length) {
    throw new RangeError(`no room for a ${FRAME_HEADER_BYTES}-byte frame header at offset ${offset}`);
  }
  target[offset] = type;
  target[offset + 1] = length >>> 24;
  target[offset + 2] = (length >>> 16) & 0xff;
  target[offset + 3] = (length >>> 8) & 0xff;
  target[offset + 4] = length & 0xff;
  return offset + FRAME_HEADER_BYTES;
}

/** A whole frame (header + a copy of `payload`) in one new buffer. */
export function encodeFrame(type: number, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  writeFrameHeader(out, 0, type, payload.length);
  out.set(payload, FRAME_HEADER_BYTES);
  return out;
}
