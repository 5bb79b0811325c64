/**
 * fast-check arbitraries: one valid-message generator per message type (the
 * record type forces one for every new type), plus hostile string pieces.
 */
import fc from 'fast-check';
import { MAX_CHAT_BYTES } from '../../../src/protocol/messages/chat.js';
import {
  DENY_CODES,
  PAIR_REJECT_CODES,
  type MessageOfType,
  type MessageType,
} from '../../../src/protocol/messages/index.js';

/** Any UTF-16 code unit, lone surrogates included. */
export const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

/** Strings of up to `max` UTF-16 units, mixing full Unicode and raw code units. */
export function utf16String(max: number): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit: 'binary', maxLength: Math.floor(max / 2) }),
    fc.string({ unit: anyUnit, maxLength: max }),
    fc.string({ unit: 'grapheme-ascii', maxLength: max }),
  );
}

export const visibleAscii = (max: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: max });

const hex32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));
const noNegZero = (n: number): number => (Object.is(n, -0) ? 0 : n);
const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map(noNegZero);
const uint = fc.oneof(fc.nat(), fc.maxSafeNat());
const name = utf16String(64);
const reason = utf16String(200);

const chatText = fc
  .oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }), fc.string({ unit: anyUnit, minLength: 1, maxLength: 4096 }), fc.string({ unit: 'binary', minLength: 3000, maxLength: 4000 }))
  .filter((t) => t.trim().length > 0 && Buffer.byteLength(t) <= MAX_CHAT_BYTES);

export const MESSAGE_ARBITRARIES: { readonly [K in MessageType]: fc.Arbitrary<MessageOfType<K>> } = {
  HELLO: fc.record(
    {
      type: fc.constant('HELLO'),
      v: fc.integer({ min: 0, max: 0xffff }),
      name,
      port: fc.integer({ min: 0, max: 65535 }),
      caps: fc.array(visibleAscii(32), { maxLength: 32 }),
      relay: visibleAscii(260),
    },
    { requiredKeys: ['type', 'v', 'name', 'port', 'caps'] },
  ),
  ACCEPT: fc.record({ type: fc.constant('ACCEPT'), name }),
  DENY: fc.record({ type: fc.constant('DENY'), code: fc.constantFrom(...DENY_CODES), message: reason }, { requiredKeys: ['type', 'code'] }),
  BYE: fc.record({ type: fc.constant('BYE'), reason }, { requiredKeys: ['type'] }),
  PAIR_COMMIT: fc.record({ type: fc.constant('PAIR_COMMIT'), commit: hex32, name }),
  PAIR_NONCE: fc.record({ type: fc.constant('PAIR_NONCE'), nonce: hex32, name }),
  PAIR_REVEAL: fc.record({ type: fc.constant('PAIR_REVEAL'), nonce: hex32 }),
  PAIR_CONFIRM: fc.constant({ type: 'PAIR_CONFIRM' }),
  PAIR_REJECT: fc.record(
    { type: fc.constant('PAIR_REJECT'), code: fc.constantFrom(...PAIR_REJECT_CODES), message: reason },
    { requiredKeys: ['type', 'code'] },
  ),
  HEARTBEAT: fc.record({ type: fc.constant('HEARTBEAT'), seq: uint, t: finite }),
  HEARTBEAT_ACK: fc.record({ type: fc.constant('HEARTBEAT_ACK'), seq: uint, t: finite }),
  CHAT: fc.record({ type: fc.constant('CHAT'), id: visibleAscii(64), text: chatText, at: fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }).map(noNegZero) }),
  CHAT_ACK: fc.record({ type: fc.constant('CHAT_ACK'), id: visibleAscii(64) }),
};
