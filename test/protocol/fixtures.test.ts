/**
 * Golden frames: fixtures/frames/*.hex, compared in both directions.
 * Regenerate (after a deliberate wire change) with: UPDATE_FIXTURES=1 npx vitest run test/protocol/fixtures
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FRAME_TYPE_CHUNK } from '../../src/protocol/constants.js';
import { encodeFrame, type Frame } from '../../src/protocol/frame.js';
import { FrameDecoder } from '../../src/protocol/frame-decoder.js';
import { createMessageDecoder, decodeMessage, encodeMessage, MESSAGE_CODECS } from '../../src/protocol/messages/index.js';
import { FIXTURE_DIR, goldenBytes } from './helpers/hex-fixture.js';
import { fixtureName, SAMPLES } from './helpers/samples.js';

const FORMAT_CASES: Array<{ file: string; comment: string; frames: Frame[] }> = [
  {
    file: 'frame-format-empty.hex',
    comment: 'frame format: type 0x13, length 0, no payload',
    frames: [{ type: 0x13, payload: Buffer.alloc(0) }],
  },
  {
    file: 'frame-format-binary.hex',
    comment: 'frame format: type 0x80 (CHUNK), length 16, payload 00..0f',
    frames: [{ type: FRAME_TYPE_CHUNK, payload: Buffer.from(Array.from({ length: 16 }, (_, i) => i)) }],
  },
  {
    file: 'frame-format-coalesced.hex',
    comment: 'frame format: two frames back to back (0x01 "ab", 0x02 "")',
    frames: [
      { type: 0x01, payload: Buffer.from('ab') },
      { type: 0x02, payload: Buffer.alloc(0) },
    ],
  },
];

const anyType = (): number => 0xffff_ffff;

describe('golden frame fixtures', () => {
  it.each(FORMAT_CASES)('$file', ({ file, comment, frames }) => {
    const encoded = Buffer.concat(frames.map((f) => encodeFrame(f.type, f.payload)));
    const golden = goldenBytes(join('frames', file), encoded, comment);
    expect(encoded.toString('hex')).toBe(golden.toString('hex'));
    const decoded = new FrameDecoder(anyType).push(golden);
    expect(decoded.map((f) => [f.type, f.payload.toString('hex')])).toEqual(frames.map((f) => [f.type, f.payload.toString('hex')]));
  });

  it.each(MESSAGE_CODECS.map((c) => c.type))('%s', (type) => {
    const sample = SAMPLES[type];
    const encoded = encodeMessage(sample);
    const golden = goldenBytes(join('frames', `${fixtureName(type)}.hex`), encoded, `${type}: ${JSON.stringify(sample)}`);
    expect(encoded.toString('hex')).toBe(golden.toString('hex'));
    const frames = createMessageDecoder().push(golden);
    expect(frames).toHaveLength(1);
    expect(decodeMessage(frames[0]!)).toEqual(sample);
  });

  it('has no stray fixture without a message type or format case', () => {
    const expected = new Set([...FORMAT_CASES.map((c) => c.file), ...MESSAGE_CODECS.map((c) => `${fixtureName(c.type)}.hex`)]);
    const present = readdirSync(join(FIXTURE_DIR, 'frames')).filter((f) => f.endsWith('.hex'));
    expect(present.filter((f) => !expected.has(f))).toEqual([]);
  });
});
