import { describe, expect, it } from 'vitest';
import { FRAME_HEADER_BYTES, MAX_U32 } from '../../src/protocol/constants.js';
import { encodeFrame, writeFrameHeader } from '../../src/protocol/frame.js';
import { thrownProtocolCode } from '../helpers/error-code.js';

const codeOf = thrownProtocolCode;

describe('frame encoding', () => {
  it('lays out type byte, u32 big-endian length, payload', () => {
    expect(encodeFrame(0x30, Buffer.from('hi')).toString('hex')).toBe('30000000026869');
    expect(encodeFrame(0x13, Buffer.alloc(0)).toString('hex')).toBe('1300000000');
  });

  it('writes a header into a caller buffer at an offset and returns the offset after it', () => {
    const buf = Buffer.alloc(16, 0xee);
    expect(writeFrameHeader(buf, 3, 0x80, 0x01020304)).toBe(3 + FRAME_HEADER_BYTES);
    expect(buf.toString('hex')).toBe('eeeeee8001020304eeeeeeeeeeeeeeee');
    writeFrameHeader(buf, 0, 0xff, MAX_U32);
    expect(buf.subarray(0, 5).toString('hex')).toBe('ffffffffff');
  });

  it('refuses values that do not fit the header', () => {
    const buf = Buffer.alloc(8);
    expect(codeOf(() => writeFrameHeader(buf, 0, 256, 0))).toBe('ERR_UNKNOWN_FRAME_TYPE');
    expect(codeOf(() => writeFrameHeader(buf, 0, -1, 0))).toBe('ERR_UNKNOWN_FRAME_TYPE');
    expect(codeOf(() => writeFrameHeader(buf, 0, 1, MAX_U32 + 1))).toBe('ERR_FRAME_TOO_LARGE');
    expect(codeOf(() => writeFrameHeader(buf, 0, 1, -1))).toBe('ERR_FRAME_TOO_LARGE');
    expect(() => writeFrameHeader(buf, 4, 1, 0)).toThrow(RangeError);
  });
});
