/** Transfer messages: schema limits beyond the generic round trip in messages.test.ts. */
import { describe, expect, it } from 'vitest';
import { MAX_CONTROL_BYTES } from '../../src/protocol/constants.js';
import {
  createMessageDecoder,
  decodeMessage,
  encodeMessage,
  frameTypeOf,
  isTransferControl,
  MAX_MANIFEST_FRAME_BYTES,
  MAX_OFFER_ENTRIES,
  messageFrameLimits,
  type Offer,
} from '../../src/protocol/messages/index.js';
import { thrownProtocolCode } from '../helpers/error-code.js';

const codeOf = thrownProtocolCode;
const raw = (type: 'OFFER' | 'OFFER_ACCEPT' | 'BULK_ACK' | 'FILE_END', body: unknown) => ({ type: frameTypeOf(type), payload: Buffer.from(JSON.stringify(body)) });
const offer = (n: number): Offer => ({
  type: 'OFFER',
  id: 'a'.repeat(32),
  files: Array.from({ length: n }, (_, i) => ({ path: `folder/file-${String(i).padStart(6, '0')}.bin`, size: 4096 })),
  dirs: ['folder'],
  chunkSize: 1048576,
  totalBytes: n * 4096,
});

describe('transfer messages', () => {
  it('carries a manifest of many files in one OFFER frame, beyond the control cap', () => {
    const msg = offer(10_000);
    const bytes = encodeMessage(msg);
    expect(bytes.length).toBeGreaterThan(MAX_CONTROL_BYTES);
    expect(messageFrameLimits(frameTypeOf('OFFER'))).toBe(MAX_MANIFEST_FRAME_BYTES);
    const frames = createMessageDecoder().push(bytes);
    expect(decodeMessage(frames[0]!)).toEqual(msg);
  });

  it('refuses more entries than the cap, bad sizes and bad indexes', () => {
    expect(codeOf(() => encodeMessage(offer(MAX_OFFER_ENTRIES + 1)))).toBe('ERR_MALFORMED_MESSAGE');
    const base = { id: 'x', files: [], dirs: [], chunkSize: 1048576, totalBytes: 0 };
    for (const size of [-1, 1.5, '12', 2 ** 53, Infinity]) {
      expect(codeOf(() => decodeMessage(raw('OFFER', { ...base, files: [{ path: 'a', size }] })))).toBe('ERR_MALFORMED_MESSAGE');
    }
    expect(codeOf(() => decodeMessage(raw('OFFER', { ...base, files: [{ path: 'x'.repeat(16385), size: 1 }] })))).toBe('ERR_MALFORMED_MESSAGE');
    expect(codeOf(() => decodeMessage(raw('OFFER', { ...base, files: [{ path: '', size: 1 }], totalBytes: 1 })))).toBeUndefined(); // the path validator refuses it, with a reason
    expect(codeOf(() => decodeMessage(raw('BULK_ACK', { seq: -1 })))).toBe('ERR_MALFORMED_MESSAGE');
    expect(codeOf(() => decodeMessage(raw('FILE_END', { file: MAX_OFFER_ENTRIES, root: 'ab'.repeat(32) })))).toBe('ERR_MALFORMED_MESSAGE');
    const accept = { id: 'x', token: '00'.repeat(32), have: [{ file: 0, chunks: 1, digest: '00'.repeat(32), tail: Array(257).fill('00'.repeat(32)) }], done: [] };
    expect(codeOf(() => decodeMessage(raw('OFFER_ACCEPT', accept)))).toBe('ERR_MALFORMED_MESSAGE');
    expect(codeOf(() => decodeMessage(raw('OFFER_ACCEPT', { ...accept, have: [], token: 'short' })))).toBe('ERR_MALFORMED_MESSAGE');
  });

  it('tells session control messages from bulk ones', () => {
    expect(isTransferControl({ type: 'OFFER' })).toBe(true);
    expect(isTransferControl({ type: 'CANCEL' })).toBe(true);
    expect(isTransferControl({ type: 'BULK_ACK' })).toBe(false);
    expect(isTransferControl({ type: 'CHAT' })).toBe(false);
  });
});
