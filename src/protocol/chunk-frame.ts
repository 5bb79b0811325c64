/**
 * The binary CHUNK frame (type 0x80), the only non-JSON frame. It travels on a
 * bulk connection that BULK_OPEN has tied to one accepted offer, so it names no
 * transfer and no path: only indexes into that offer (reliability.md N11).
 *
 *   frame header   u8 0x80, u32 BE payload length         (frame.ts)
 *   payload  +0    u32 BE  file index (position in the offer's `files`)
 *            +4    u32 BE  chunk index within that file
 *            +8    32 B    SHA-256 of the data
 *            +40   …       data: chunkSize bytes, the file's last chunk shorter, never empty
 *
 * The sender builds frames in place: a reused buffer holds room for both
 * headers in front of the data, filled by writeChunkFrameHeaders (no
 * allocation per chunk).
 */
import { FRAME_HEADER_BYTES, FRAME_TYPE_CHUNK, MAX_CHUNK_DATA_BYTES, MAX_CHUNK_HEADER_BYTES } from './constants.js';
import { ProtocolError } from './errors.js';
import { writeFrameHeader } from './frame.js';

/** File index, chunk index, SHA-256. */
export const CHUNK_HEADER_BYTES = 4 + 4 + 32;
/** Bytes in front of the data in a whole frame. */
export const CHUNK_FRAME_OVERHEAD = FRAME_HEADER_BYTES + CHUNK_HEADER_BYTES;
export const SHA256_BYTES = 32;

/**
 * Default chunk size. Measured on the 2-core loopback box: a 1 GiB file, sender
 * and receiver in separate processes, mutual TLS, received file fsynced,
 * SHA-256 on both ends off the socket thread, the same 8 MiB in flight,
 * configurations alternated, MB/s median (range) of 5 runs:
 *   256 KiB × 32: 344 (298–372)   512 KiB × 16: 333 (273–350)   1 MiB × 8: 324 (317–342)
 *   4 MiB × 2 (3 runs): 288 (266–300)
 * The chunk size makes no difference the noise of this VM can show between
 * 256 KiB and 1 MiB; bigger chunks make the window coarser (4 MiB × 2 chunks
 * stalls more). 1 MiB keeps the per-chunk work (acks, worker round trips,
 * write calls, 45 header bytes) at one per MiB and matches the 1 MiB TLS buffer
 * performance.md found best.
 */
export const CHUNK_SIZE = 1024 * 1024;
/** Smallest chunk size a peer may offer: below this the per-chunk work dominates. */
export const MIN_CHUNK_SIZE = 16 * 1024;

/** A chunk size we accept on the wire: a power of two from MIN_CHUNK_SIZE to MAX_CHUNK_DATA_BYTES. */
export function isValidChunkSize(n: number): boolean {
  return Number.isInteger(n) && n >= MIN_CHUNK_SIZE && n <= MAX_CHUNK_DATA_BYTES && (n & (n - 1)) === 0;
}

if (CHUNK_HEADER_BYTES > MAX_CHUNK_HEADER_BYTES) throw new Error('chunk header outgrew MAX_CHUNK_HEADER_BYTES');

export interface ChunkHeader {
  readonly fileIndex: number;
  readonly chunkIndex: number;
  /** A view into the frame payload; copy it to keep it past the payload's life. */
  readonly hash: Buffer;
}

/**
 * Fill the frame header and the chunk header in front of `dataLength` bytes
 * of data that already sit at `offset + CHUNK_FRAME_OVERHEAD` in `target`.
 * Returns the whole frame's length.
 */
export function writeChunkFrameHeaders(
  target: Buffer,
  offset: number,
  fileIndex: number,
  chunkIndex: number,
  hash: Uint8Array,
  dataLength: number,
): number {
  checkU32('file index', fileIndex);
  checkU32('chunk index', chunkIndex);
  if (hash.length !== SHA256_BYTES) throw new ProtocolError('ERR_MALFORMED_MESSAGE', 'CHUNK: hash must be 32 bytes');
  if (!Number.isInteger(dataLength) || dataLength < 1 || dataLength > MAX_CHUNK_DATA_BYTES) {
    throw new ProtocolError('ERR_FRAME_TOO_LARGE', `CHUNK: data must be 1..${MAX_CHUNK_DATA_BYTES} bytes, got ${dataLength}`);
  }
  const at = writeFrameHeader(target, offset, FRAME_TYPE_CHUNK, CHUNK_HEADER_BYTES + dataLength);
  target.writeUInt32BE(fileIndex, at);
  target.writeUInt32BE(chunkIndex, at + 4);
  target.set(hash, at + 8);
  return CHUNK_FRAME_OVERHEAD + dataLength;
}

/** A whole CHUNK frame in a new buffer (tests and tools; the sender uses writeChunkFrameHeaders). */
export function encodeChunkFrame(fileIndex: number, chunkIndex: number, hash: Uint8Array, data: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(CHUNK_FRAME_OVERHEAD + data.length);
  out.set(data, CHUNK_FRAME_OVERHEAD);
  writeChunkFrameHeaders(out, 0, fileIndex, chunkIndex, hash, data.length);
  return out;
}

/** Read the chunk header at the start of a CHUNK payload (or of its first CHUNK_HEADER_BYTES). */
export function readChunkHeader(payload: Buffer): ChunkHeader {
  if (payload.length < CHUNK_HEADER_BYTES) {
    throw new ProtocolError('ERR_MALFORMED_MESSAGE', `CHUNK: payload of ${payload.length} bytes has no room for its header`);
  }
  return {
    fileIndex: payload.readUInt32BE(0),
    chunkIndex: payload.readUInt32BE(4),
    hash: payload.subarray(8, CHUNK_HEADER_BYTES),
  };
}

/** A whole CHUNK payload: header and a view of the data. Throws ProtocolError if there is no data. */
export function decodeChunkPayload(payload: Buffer): ChunkHeader & { readonly data: Buffer } {
  const header = readChunkHeader(payload);
  if (payload.length === CHUNK_HEADER_BYTES) throw new ProtocolError('ERR_MALFORMED_MESSAGE', 'CHUNK: no data');
  return { ...header, data: payload.subarray(CHUNK_HEADER_BYTES) };
}

function checkU32(what: string, n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff_ffff) {
    throw new ProtocolError('ERR_MALFORMED_MESSAGE', `CHUNK: ${what} must be a u32, got ${n}`);
  }
}
