/** The bulk connection parser: any split, stalls without losing bytes, caps before buffering. */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BulkReader, type BulkReaderSink } from '../../../src/core/transfer/bulk-reader.js';
import { encodeChunkFrame } from '../../../src/protocol/chunk-frame.js';
import { encodeFrame } from '../../../src/protocol/frame.js';
import { encodeMessage } from '../../../src/protocol/messages/index.js';
import { isProtocolError } from '../../../src/protocol/errors.js';

const sha = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest();

function collector(stallEvery = 0) {
  const out: Array<string> = [];
  let n = 0;
  let current: { file: number; chunk: number; hash: Buffer; buf: Buffer } | undefined;
  const sink: BulkReaderSink & { out: string[]; blocked: boolean } = {
    out,
    blocked: false,
    chunkStart(file, chunk, hash, length) {
      if (stallEvery && ++n % stallEvery === 0 && !sink.blocked) {
        sink.blocked = true;
        return undefined;
      }
      sink.blocked = false;
      current = { file, chunk, hash, buf: Buffer.alloc(length) };
      return current.buf;
    },
    chunkEnd() {
      const c = current!;
      out.push(`chunk ${c.file}/${c.chunk} ${sha(c.buf).equals(c.hash) ? 'ok' : 'BAD'} ${c.buf.length}`);
    },
    message(m) {
      out.push(`${m.type} ${JSON.stringify(m)}`);
    },
  };
  return sink;
}

const stream = (): Buffer[] => {
  const a = Buffer.alloc(3000, 1);
  const b = Buffer.alloc(1, 2);
  return [
    encodeChunkFrame(0, 0, sha(a), a),
    encodeMessage({ type: 'FILE_END', file: 0, root: 'ab'.repeat(32) }),
    encodeChunkFrame(1, 0, sha(b), b),
    encodeChunkFrame(1, 1, sha(a), a),
    encodeMessage({ type: 'FILE_END', file: 1, root: 'cd'.repeat(32) }),
  ];
};

describe('BulkReader', () => {
  it('reads the same frames whatever the split, and through stalls', () => {
    const whole = Buffer.concat(stream());
    const expected = collector();
    new BulkReader(expected, 4096).push(whole);
    expect(expected.out).toHaveLength(5);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 3 }), (cuts, stallEvery) => {
        const sink = collector(stallEvery);
        const r = new BulkReader(sink, 4096);
        let at = 0;
        for (const c of [...cuts, whole.length]) {
          const piece = whole.subarray(at, Math.min(whole.length, at + c));
          at += piece.length;
          let ok = r.push(piece);
          while (!ok) ok = r.resume(); // the slot frees up
          if (at >= whole.length) break;
        }
        expect(sink.out).toEqual(expected.out);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses before buffering: oversized or empty CHUNKs, unknown or session frames, oversized messages', () => {
    const refuse = (bytes: Buffer): string | undefined => {
      try {
        new BulkReader(collector(), 4096).push(bytes);
      } catch (err) {
        return isProtocolError(err) ? err.code : String(err);
      }
      return undefined;
    };
    expect(refuse(Buffer.from([0x80, 0, 0, 0x10, 0x29]))).toBe('ERR_FRAME_TOO_LARGE'); // 4096 + 40 + 1
    expect(refuse(Buffer.from([0x80, 0, 0, 0, 40]))).toBe('ERR_FRAME_TOO_LARGE'); // a header and no data
    expect(refuse(Buffer.from([0x80, 0xff, 0xff, 0xff, 0xff]))).toBe('ERR_FRAME_TOO_LARGE');
    expect(refuse(encodeFrame(0x30, Buffer.from('{}')))).toBe('ERR_UNKNOWN_FRAME_TYPE'); // CHAT has no place here
    expect(refuse(encodeFrame(0x40, Buffer.from('{}')))).toBe('ERR_UNKNOWN_FRAME_TYPE'); // nor OFFER
    expect(refuse(Buffer.from([0x52, 0, 1, 0, 1]))).toBe('ERR_FRAME_TOO_LARGE');
    expect(refuse(encodeFrame(0x52, Buffer.from('{"seq":-1}')))).toBe('ERR_MALFORMED_MESSAGE');
    expect(refuse(Buffer.from([0x99, 0, 0, 0, 0]))).toBe('ERR_UNKNOWN_FRAME_TYPE');
  });

  it('tells the sink how the first data byte of a chunk is aligned in the read it arrives in', () => {
    const data = Buffer.alloc(5000, 7);
    const frame = encodeChunkFrame(0, 0, sha(data), data);
    for (let lead = 0; lead < 16; lead++) {
      // The frame starts `lead` bytes into a read buffer; its data 45 bytes later.
      const read = Buffer.concat([Buffer.alloc(lead), frame]).subarray(lead);
      const seen: number[] = [];
      const sink = collector();
      const start = sink.chunkStart.bind(sink);
      sink.chunkStart = (f, c, h, len, align) => {
        seen.push(align);
        return start(f, c, h, len, align);
      };
      new BulkReader(sink, 8192).push(read);
      expect(seen).toEqual([(read.byteOffset + 45) & 7]);
      expect(sink.out).toEqual(['chunk 0/0 ok 5000']);
    }
  });
});
