import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_CONTROL_BYTES } from '../../src/protocol/constants.js';
import { isProtocolError } from '../../src/protocol/errors.js';
import { encodeFrame } from '../../src/protocol/frame.js';
import {
  checkChatText,
  createMessageDecoder,
  decodeMessage,
  encodeMessage,
  frameTypeOf,
  MAX_CHAT_BYTES,
  MESSAGE_CODECS,
  messageFrameLimits,
  messageTypeOf,
  negotiateHello,
  PROTOCOL_VERSION,
  type Message,
  type MessageType,
} from '../../src/protocol/messages/index.js';
import { MESSAGE_ARBITRARIES } from './helpers/arbitraries.js';
import { SAMPLES } from './helpers/samples.js';
import { thrownProtocolCode } from '../helpers/error-code.js';

const TYPES = Object.keys(SAMPLES) as MessageType[];

const codeOf = thrownProtocolCode;

/** A frame of message type `type` whose JSON body is `body` (bypassing the encoder's checks). */
const rawFrame = (type: MessageType, body: unknown) => ({
  type: frameTypeOf(type),
  payload: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
});
const bodyOf = (msg: Message): Record<string, unknown> => {
  const { type: _type, ...body } = msg;
  return body;
};

describe('message registry', () => {
  it('maps every type to its byte and back, with no gaps', () => {
    expect(MESSAGE_CODECS.map((c) => c.type).sort()).toEqual([...TYPES].sort());
    const table = Object.fromEntries(MESSAGE_CODECS.map((c) => [c.type, c.frameType]));
    expect(table).toEqual({
      HELLO: 0x01, ACCEPT: 0x02, DENY: 0x03, BYE: 0x04,
      PAIR_COMMIT: 0x10, PAIR_NONCE: 0x11, PAIR_REVEAL: 0x12, PAIR_CONFIRM: 0x13, PAIR_REJECT: 0x14,
      HEARTBEAT: 0x20, HEARTBEAT_ACK: 0x21,
      CHAT: 0x30, CHAT_ACK: 0x31,
      OFFER: 0x40, OFFER_ACCEPT: 0x41, OFFER_DENY: 0x42, CANCEL: 0x43, TRANSFER_DONE: 0x44, TRANSFER_PAUSE: 0x45,
      BULK_OPEN: 0x50, FILE_END: 0x51, BULK_ACK: 0x52,
    });
    for (const type of TYPES) expect(messageTypeOf(frameTypeOf(type))).toBe(type);
    expect(messageTypeOf(0x00)).toBeUndefined();
    expect(messageFrameLimits(0x01)).toBe(MAX_CONTROL_BYTES);
    expect(messageFrameLimits(0x99)).toBeUndefined();
  });

  it('refuses an unknown frame type and an over-cap payload', () => {
    expect(codeOf(() => decodeMessage({ type: 0x7e, payload: Buffer.from('{}') }))).toBe('ERR_UNKNOWN_FRAME_TYPE');
    expect(codeOf(() => decodeMessage({ type: 0x01, payload: Buffer.alloc(MAX_CONTROL_BYTES + 1, 0x20) }))).toBe('ERR_FRAME_TOO_LARGE');
  });
});

describe('message codecs: round trip', () => {
  for (const type of TYPES) {
    it(`${type}: encode → frame decoder → decode gives the same message`, () => {
      fc.assert(
        fc.property(MESSAGE_ARBITRARIES[type] as fc.Arbitrary<Message>, (msg) => {
          const frames = createMessageDecoder().push(encodeMessage(msg));
          expect(frames).toHaveLength(1);
          expect(decodeMessage(frames[0]!)).toEqual(msg);
        }),
        { numRuns: 300 },
      );
    });
  }

  it('a maximal chat of control characters (6× JSON escaping) still fits its frame', () => {
    const msg: Message = { type: 'CHAT', id: 'x'.repeat(64), text: '\x01'.repeat(MAX_CHAT_BYTES), at: Number.MAX_VALUE };
    expect(decodeMessage(createMessageDecoder().push(encodeMessage(msg))[0]!)).toEqual(msg);
  });
});

describe('message codecs: tolerant of additions, strict on types and limits', () => {
  it('ignores unknown extra fields (a newer peer) and strips them', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TYPES),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }).map((k) => `x_${k}`), fc.jsonValue(), { maxKeys: 5 }),
        (type, extra) => {
          const sample = SAMPLES[type];
          expect(decodeMessage(rawFrame(type, { ...extra, ...bodyOf(sample) }))).toEqual(sample);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('does not let __proto__ or constructor keys reach the result', () => {
    const payload = `{"__proto__":{"polluted":true},"constructor":{"x":1},"seq":1,"t":2}`;
    const msg = decodeMessage({ type: frameTypeOf('HEARTBEAT'), payload: Buffer.from(payload) });
    expect(msg).toEqual({ type: 'HEARTBEAT', seq: 1, t: 2 });
    expect(Object.getPrototypeOf(msg)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  const bad: Array<[MessageType, unknown]> = [
    ['HELLO', { ...bodyOf(SAMPLES.HELLO), v: '1' }],
    ['HELLO', { ...bodyOf(SAMPLES.HELLO), v: 1.5 }],
    ['HELLO', { ...bodyOf(SAMPLES.HELLO), v: -1 }],
    ['HELLO', { ...bodyOf(SAMPLES.HELLO), name: 'n'.repeat(65) }],
    ['HELLO', { ...bodyOf(SAMPLES.HELLO), name: undefined }],
    ['HELLO', { ...bodyOf(SAMPLES.HELLO), port: 65536 }],
    ['HELLO', { ...bodyOf(SAMPLES.HELLO), port: -1 }],
    ['HELLO', { ...bodyOf(SAMPLES.HELLO), port: '80' }],
    ['HELLO', { ...bodyOf(SAMPLES.HELLO), caps: Array.from({ length: 33 }, (_, i) => `c${i}`) }],
    ['HELLO', { ...bodyOf(SAMPLES.HELLO), caps: ['c'.repeat(33)] }],
    ['HELLO', { ...bodyOf(SAMPLES.HELLO), caps: ['has space'] }],
    ['HELLO', { ...bodyOf(SAMPLES.HELLO), caps: 'chat' }],
    ['HELLO', { ...bodyOf(SAMPLES.HELLO), relay: 42 }],
    ['ACCEPT', {}],
    ['DENY', { code: 'NOPE' }],
    ['DENY', { code: 'BUSY', message: 'm'.repeat(201) }],
    ['BYE', { reason: 7 }],
    ['PAIR_COMMIT', { commit: 'a'.repeat(63), name: 'x' }],
    ['PAIR_COMMIT', { commit: 'A'.repeat(64), name: 'x' }],
    ['PAIR_COMMIT', { commit: 'g'.repeat(64), name: 'x' }],
    ['PAIR_NONCE', { nonce: 'a'.repeat(64) }],
    ['PAIR_REVEAL', { nonce: 'a'.repeat(65) }],
    ['PAIR_REJECT', { code: 'rejected' }],
    ['HEARTBEAT', { seq: -1, t: 0 }],
    ['HEARTBEAT', { seq: 1.5, t: 0 }],
    ['HEARTBEAT', { seq: 2 ** 53, t: 0 }],
    ['HEARTBEAT', { seq: 1, t: '0' }],
    ['HEARTBEAT_ACK', { seq: 1 }],
    ['CHAT', { id: 'a', text: '', at: 0 }],
    ['CHAT', { id: 'a', text: ' \n\t ', at: 0 }],
    ['CHAT', { id: 'a', text: 'é'.repeat(MAX_CHAT_BYTES / 2 + 1), at: 0 }],
    ['CHAT', { id: 'i'.repeat(65), text: 'hi', at: 0 }],
    ['CHAT', { id: 'has space', text: 'hi', at: 0 }],
    ['CHAT', { id: 'ünï', text: 'hi', at: 0 }],
    ['CHAT', { id: 'a', text: 'hi', at: -1 }],
    ['CHAT_ACK', { id: '' }],
  ];
  it.each(bad)('%s rejects %j', (type, body) => {
    expect(codeOf(() => decodeMessage(rawFrame(type, body)))).toBe('ERR_MALFORMED_MESSAGE');
  });

  it.each(['', 'null', '[]', '42', '"str"', '{', '{"seq":1,"t":2', '[[[['.repeat(16_000)])('rejects the non-object or broken JSON %#', (text) => {
    expect(codeOf(() => decodeMessage(rawFrame('HEARTBEAT', text)))).toBe('ERR_MALFORMED_MESSAGE');
  });

  it('rejects invalid UTF-8 rather than repairing it', () => {
    const payload = Buffer.concat([Buffer.from('{"name":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    expect(codeOf(() => decodeMessage({ type: frameTypeOf('ACCEPT'), payload }))).toBe('ERR_MALFORMED_MESSAGE');
  });

  it('refuses to encode a message its peer would reject', () => {
    expect(codeOf(() => encodeMessage({ type: 'ACCEPT', name: 'n'.repeat(65) }))).toBe('ERR_MALFORMED_MESSAGE');
    expect(codeOf(() => encodeMessage({ type: 'HEARTBEAT', seq: -1, t: 0 }))).toBe('ERR_MALFORMED_MESSAGE');
    expect(codeOf(() => encodeMessage({ type: 'NOPE' } as unknown as Message))).toBe('ERR_UNKNOWN_FRAME_TYPE');
  });

  it('throws only ProtocolError whatever the payload of a known frame type', () => {
    const types = MESSAGE_CODECS.map((c) => c.frameType);
    const payload = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
      fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
      fc.record({ seq: fc.anything(), t: fc.anything(), name: fc.anything(), id: fc.anything(), code: fc.anything() })
        .map((v) => Buffer.from(JSON.stringify(v) ?? '{}')),
    );
    fc.assert(
      fc.property(fc.constantFrom(...types), payload, (type, bytes) => {
        try {
          decodeMessage({ type, payload: bytes });
        } catch (err) {
          expect(isProtocolError(err)).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('throws only ProtocolError on arbitrary byte streams through decoder and registry', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          for (const frame of createMessageDecoder().push(Buffer.from(bytes))) decodeMessage(frame);
        } catch (err) {
          expect(isProtocolError(err)).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
    // And with valid headers, so payload decoding is reached.
    fc.assert(
      fc.property(fc.constantFrom(...MESSAGE_CODECS.map((c) => c.frameType)), fc.uint8Array({ maxLength: 100 }), (type, body) => {
        try {
          for (const frame of createMessageDecoder().push(encodeFrame(type, body))) decodeMessage(frame);
        } catch (err) {
          expect(isProtocolError(err)).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('negotiateHello', () => {
  it('accepts the same major version', () => {
    expect(negotiateHello(PROTOCOL_VERSION, { ...SAMPLES.HELLO, v: PROTOCOL_VERSION })).toEqual({ ok: true });
  });

  it('answers another major version with a DENY that encodes', () => {
    for (const v of [0, 2, 65535]) {
      const verdict = negotiateHello(PROTOCOL_VERSION, { ...SAMPLES.HELLO, v });
      expect(verdict.ok).toBe(false);
      if (verdict.ok) continue;
      expect(verdict.deny.code).toBe('VERSION_MISMATCH');
      expect(decodeMessage(createMessageDecoder().push(encodeMessage(verdict.deny))[0]!)).toEqual(verdict.deny);
    }
  });
});

describe('checkChatText', () => {
  it('accepts text up to MAX_CHAT_BYTES of UTF-8', () => {
    expect(codeOf(() => checkChatText('hi'))).toBeUndefined();
    expect(codeOf(() => checkChatText('a'.repeat(MAX_CHAT_BYTES)))).toBeUndefined();
    expect(codeOf(() => checkChatText('€'.repeat(Math.floor(MAX_CHAT_BYTES / 3))))).toBeUndefined();
  });

  it('rejects empty and whitespace-only text', () => {
    for (const t of ['', ' ', '\n\t  \r\n']) expect(codeOf(() => checkChatText(t))).toBe('ERR_CHAT_EMPTY');
  });

  it('rejects over-long text by bytes, not characters', () => {
    expect(codeOf(() => checkChatText('a'.repeat(MAX_CHAT_BYTES + 1)))).toBe('ERR_CHAT_TOO_LONG');
    expect(codeOf(() => checkChatText('€'.repeat(Math.floor(MAX_CHAT_BYTES / 3) + 1)))).toBe('ERR_CHAT_TOO_LONG');
    expect(codeOf(() => checkChatText('👋'.repeat(MAX_CHAT_BYTES / 4 + 1)))).toBe('ERR_CHAT_TOO_LONG');
  });
});
