import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FRAME_HEADER_BYTES, FRAME_TYPE_CHUNK, MAX_CHUNK_FRAME_BYTES, MAX_CONTROL_BYTES } from '../../src/protocol/constants.js';
import { isProtocolError } from '../../src/protocol/errors.js';
import { encodeFrame, type Frame, type FrameLimits } from '../../src/protocol/frame.js';
import { FrameDecoder } from '../../src/protocol/frame-decoder.js';
import { thrownProtocolCode } from '../helpers/error-code.js';

/** Control types 0x01..0x3f capped at 64 KiB, plus the binary CHUNK type. */
const limits: FrameLimits = (type) =>
  type === FRAME_TYPE_CHUNK ? MAX_CHUNK_FRAME_BYTES : type >= 0x01 && type <= 0x3f ? MAX_CONTROL_BYTES : undefined;

function pattern(length: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

const FRAMES: Frame[] = [
  { type: 0x01, payload: Buffer.from('{"v":1}') },
  { type: 0x13, payload: Buffer.alloc(0) },
  { type: FRAME_TYPE_CHUNK, payload: pattern(70_000, 1) },
  { type: 0x30, payload: pattern(MAX_CONTROL_BYTES, 2) },
  { type: 0x20, payload: Buffer.from([0]) },
];
const STREAM = Buffer.concat(FRAMES.map((f) => encodeFrame(f.type, f.payload)));

const plain = (frames: Frame[]): Array<{ type: number; payload: string }> =>
  frames.map((f) => ({ type: f.type, payload: f.payload.toString('hex') }));

function decodeInPieces(input: Buffer, cuts: number[]): Frame[] {
  const decoder = new FrameDecoder(limits);
  const out: Frame[] = [];
  let start = 0;
  for (const cut of [...cuts].sort((a, b) => a - b).concat(input.length)) {
    out.push(...decoder.push(input.subarray(start, cut)));
    start = cut;
  }
  decoder.end();
  return out;
}

const codeOf = thrownProtocolCode;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('FrameDecoder: split and coalesced input', () => {
  it('gives the same frames all at once, byte by byte and in random splits', () => {
    const expected = plain(FRAMES);
    expect(plain(decodeInPieces(STREAM, []))).toEqual(expected);

    const decoder = new FrameDecoder(limits);
    const byteByByte: Frame[] = [];
    for (let i = 0; i < STREAM.length; i++) byteByByte.push(...decoder.push(STREAM.subarray(i, i + 1)));
    decoder.end();
    expect(plain(byteByByte)).toEqual(expected);

    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: STREAM.length }), { maxLength: 40 }), (cuts) => {
        expect(plain(decodeInPieces(STREAM, cuts))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('returns a view, not a copy, when a payload sits inside one input buffer', () => {
    const [frame] = new FrameDecoder(limits).push(STREAM);
    expect(frame!.payload.buffer).toBe(STREAM.buffer);
    expect(frame!.payload.byteOffset).toBe(STREAM.byteOffset + FRAME_HEADER_BYTES);
  });

  it('copies a payload that spans inputs exactly once, into its own buffer', () => {
    const bytes = encodeFrame(FRAME_TYPE_CHUNK, pattern(1000, 3));
    const decoder = new FrameDecoder(limits);
    expect(decoder.push(bytes.subarray(0, 400))).toEqual([]);
    expect(decoder.bufferedBytes).toBe(400 - FRAME_HEADER_BYTES); // the header is parsed, the payload waits
    const [frame] = decoder.push(bytes.subarray(400));
    expect(frame!.payload.equals(pattern(1000, 3))).toBe(true);
    bytes.fill(0); // the copy does not alias the inputs
    expect(frame!.payload.equals(pattern(1000, 3))).toBe(true);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('keeps the remainder of a coalesced read for the next frame', () => {
    const two = Buffer.concat([encodeFrame(0x01, Buffer.from('ab')), encodeFrame(0x02, Buffer.from('cd'))]);
    const decoder = new FrameDecoder(limits);
    expect(plain(decoder.push(two.subarray(0, 9)))).toEqual([{ type: 1, payload: '6162' }]);
    expect(decoder.bufferedBytes).toBe(2);
    expect(plain(decoder.push(two.subarray(9)))).toEqual([{ type: 2, payload: '6364' }]);
  });

  it('stays linear: a 1 MiB payload fed one byte at a time and 64 MiB in 16 KiB reads', () => {
    const big = encodeFrame(FRAME_TYPE_CHUNK, pattern(1024 * 1024, 4));
    const t0 = performance.now();
    const decoder = new FrameDecoder(limits);
    let frames = 0;
    for (let i = 0; i < big.length; i++) frames += decoder.push(big.subarray(i, i + 1)).length;
    expect(frames).toBe(1);

    const chunk = encodeFrame(FRAME_TYPE_CHUNK, pattern(4 * 1024 * 1024, 5));
    const stream = Buffer.concat(Array.from({ length: 16 }, () => chunk));
    for (let i = 0; i < stream.length; i += 16 * 1024) frames += decoder.push(stream.subarray(i, i + 16 * 1024)).length;
    expect(frames).toBe(17);
    expect(performance.now() - t0).toBeLessThan(5000); // quadratic behaviour would take minutes
  });
});

describe('FrameDecoder: limits are enforced at the header', () => {
  it('rejects a header claiming 4 GiB as soon as it is complete, holding nothing and allocating nothing', () => {
    const allocUnsafe = vi.spyOn(Buffer, 'allocUnsafe');
    const alloc = vi.spyOn(Buffer, 'alloc');
    const decoder = new FrameDecoder(limits);
    const header = Buffer.from([FRAME_TYPE_CHUNK, 0xff, 0xff, 0xff, 0xff]);
    expect(decoder.push(header.subarray(0, 4))).toEqual([]);
    expect(decoder.bufferedBytes).toBe(4);
    expect(codeOf(() => decoder.push(header.subarray(4)))).toBe('ERR_FRAME_TOO_LARGE');
    expect(decoder.bufferedBytes).toBe(0);
    const sizes = [...allocUnsafe.mock.calls, ...alloc.mock.calls].map((args) => args[0]);
    expect(sizes.every((n) => n <= FRAME_HEADER_BYTES)).toBe(true);
  });

  it('rejects a too-large header even when payload bytes arrive in the same read', () => {
    const decoder = new FrameDecoder(limits);
    const input = Buffer.concat([Buffer.from([0x01, 0x00, 0x01, 0x00, 0x01]), Buffer.alloc(100)]);
    expect(codeOf(() => decoder.push(input))).toBe('ERR_FRAME_TOO_LARGE');
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('accepts exactly the cap and rejects the cap + 1, per frame type', () => {
    const header = (type: number, len: number) => Buffer.from([type, len >>> 24, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff]);
    expect(codeOf(() => new FrameDecoder(limits).push(header(0x01, MAX_CONTROL_BYTES)))).toBeUndefined();
    expect(codeOf(() => new FrameDecoder(limits).push(header(0x01, MAX_CONTROL_BYTES + 1)))).toBe('ERR_FRAME_TOO_LARGE');
    expect(codeOf(() => new FrameDecoder(limits).push(header(FRAME_TYPE_CHUNK, MAX_CHUNK_FRAME_BYTES)))).toBeUndefined();
    expect(codeOf(() => new FrameDecoder(limits).push(header(FRAME_TYPE_CHUNK, MAX_CHUNK_FRAME_BYTES + 1)))).toBe('ERR_FRAME_TOO_LARGE');
    expect(codeOf(() => new FrameDecoder(limits).push(header(0x01, 0x8000_0000)))).toBe('ERR_FRAME_TOO_LARGE'); // "negative" as int32
  });

  it('rejects an unknown type byte at the header, before its payload arrives', () => {
    for (const type of [0x00, 0x40, 0x7f, 0xff]) {
      const decoder = new FrameDecoder(limits);
      expect(codeOf(() => decoder.push(Buffer.from([type, 0, 0, 0, 10])))).toBe('ERR_UNKNOWN_FRAME_TYPE');
    }
  });

  it('stays failed after an error, and reports the same code again', () => {
    const decoder = new FrameDecoder(limits);
    expect(codeOf(() => decoder.push(Buffer.from([0x55, 0, 0, 0, 0])))).toBe('ERR_UNKNOWN_FRAME_TYPE');
    expect(codeOf(() => decoder.push(encodeFrame(0x01, Buffer.from('{}'))))).toBe('ERR_UNKNOWN_FRAME_TYPE');
    expect(codeOf(() => decoder.end())).toBe('ERR_UNKNOWN_FRAME_TYPE');
  });

  it('end() flags a frame cut short, and is quiet on a clean boundary', () => {
    const frame = encodeFrame(0x01, Buffer.from('hello'));
    for (const cut of [1, 4, 5, 9]) {
      const decoder = new FrameDecoder(limits);
      decoder.push(frame.subarray(0, cut));
      expect(codeOf(() => decoder.end())).toBe('ERR_TRUNCATED_FRAME');
      expect(decoder.bufferedBytes).toBe(0);
    }
    const decoder = new FrameDecoder(limits);
    decoder.push(frame);
    expect(codeOf(() => decoder.end())).toBeUndefined();
  });

  it('throws only ProtocolError on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), (pieces) => {
        const decoder = new FrameDecoder(limits);
        try {
          for (const p of pieces) decoder.push(Buffer.from(p));
          decoder.end();
        } catch (err) {
          expect(isProtocolError(err)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
