/** The binary CHUNK frame: byte layout (known answer), round trip, limits. */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CHUNK_FRAME_OVERHEAD,
  CHUNK_HEADER_BYTES,
  CHUNK_SIZE,
  decodeChunkPayload,
  encodeChunkFrame,
  isValidChunkSize,
  writeChunkFrameHeaders,
} from '../../src/protocol/chunk-frame.js';
import { FRAME_TYPE_CHUNK, MAX_CHUNK_DATA_BYTES, MAX_CHUNK_FRAME_BYTES } from '../../src/protocol/constants.js';
import { FrameDecoder } from '../../src/protocol/frame-decoder.js';
import { thrownProtocolCode } from '../helpers/error-code.js';

const codeOf = thrownProtocolCode;

describe('CHUNK frame', () => {
  it('lays out the bytes as documented', () => {
    const data = Buffer.from('abc');
    const hash = createHash('sha256').update(data).digest();
    const frame = encodeChunkFrame(2, 0x01020304, hash, data);
    expect(frame.toString('hex')).toBe(
      '80' + '0000002b' + '00000002' + '01020304' + 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' + '616263',
    );
    expect(CHUNK_HEADER_BYTES).toBe(40);
    expect(CHUNK_FRAME_OVERHEAD).toBe(45);
  });

  it('round-trips through the frame decoder', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 5000 }), (file, chunk, bytes) => {
        const hash = createHash('sha256').update(bytes).digest();
        const frames = new FrameDecoder(() => MAX_CHUNK_FRAME_BYTES).push(encodeChunkFrame(file, chunk, hash, bytes));
        expect(frames).toHaveLength(1);
        expect(frames[0]!.type).toBe(FRAME_TYPE_CHUNK);
        const c = decodeChunkPayload(frames[0]!.payload);
        expect([c.fileIndex, c.chunkIndex, c.hash.toString('hex'), Buffer.from(c.data).equals(Buffer.from(bytes))]).toEqual([file, chunk, hash.toString('hex'), true]);
      }),
    );
  });

  it('fills headers in place in front of data that is already there', () => {
    const buf = Buffer.alloc(CHUNK_FRAME_OVERHEAD + 10, 0xee);
    buf.fill(7, CHUNK_FRAME_OVERHEAD);
    const hash = Buffer.alloc(32, 1);
    expect(writeChunkFrameHeaders(buf, 0, 0, 0, hash, 10)).toBe(buf.length);
    expect(buf.equals(encodeChunkFrame(0, 0, hash, Buffer.alloc(10, 7)))).toBe(true);
  });

  it('refuses bad fields with ProtocolError codes', () => {
    const h = Buffer.alloc(32);
    expect(codeOf(() => encodeChunkFrame(-1, 0, h, Buffer.alloc(1)))).toBe('ERR_MALFORMED_MESSAGE');
    expect(codeOf(() => encodeChunkFrame(0, 2 ** 32, h, Buffer.alloc(1)))).toBe('ERR_MALFORMED_MESSAGE');
    expect(codeOf(() => encodeChunkFrame(0, 0, Buffer.alloc(31), Buffer.alloc(1)))).toBe('ERR_MALFORMED_MESSAGE');
    expect(codeOf(() => encodeChunkFrame(0, 0, h, Buffer.alloc(0)))).toBe('ERR_FRAME_TOO_LARGE');
    expect(codeOf(() => writeChunkFrameHeaders(Buffer.alloc(10), 0, 0, 0, h, MAX_CHUNK_DATA_BYTES + 1))).toBe('ERR_FRAME_TOO_LARGE');
    expect(codeOf(() => decodeChunkPayload(Buffer.alloc(39)))).toBe('ERR_MALFORMED_MESSAGE');
    expect(codeOf(() => decodeChunkPayload(Buffer.alloc(40)))).toBe('ERR_MALFORMED_MESSAGE');
  });

  it('accepts only power-of-two chunk sizes from 16 KiB to the frame cap', () => {
    expect(isValidChunkSize(CHUNK_SIZE)).toBe(true);
    expect([16384, 65536, MAX_CHUNK_DATA_BYTES].every(isValidChunkSize)).toBe(true);
    expect([0, 8192, 100_000, MAX_CHUNK_DATA_BYTES * 2, 1.5, -16384].some(isValidChunkSize)).toBe(false);
  });
});
