/**
 * fast-check arbitraries: one valid-message generator per message type (the
 * record type forces one for every new type), plus hostile string pieces.
 */
import fc from 'fast-check';
import { MAX_CHAT_BYTES } from '../../../src/protocol/messages/chat.js';
import {
  CANCEL_CODES,
  DENY_CODES,
  OFFER_DENY_CODES,
  PAIR_REJECT_CODES,
  PAUSE_CODES,
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

/** Offered paths: any text (the schema only bounds length; the path validator judges it). */
const offeredPath = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: anyUnit, maxLength: 40 }));
const fileSize = fc.oneof(fc.nat(), fc.integer({ min: 0, max: 2 ** 44 }));
const fileIndex = fc.integer({ min: 0, max: 49_999 });

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
  OFFER: fc.record({
    type: fc.constant('OFFER'),
    id: visibleAscii(64),
    files: fc.array(fc.record({ path: offeredPath, size: fileSize }), { maxLength: 20 }),
    dirs: fc.array(offeredPath, { maxLength: 10 }),
    chunkSize: fc.integer({ min: 1, max: 2 ** 31 }),
    totalBytes: fileSize,
  }),
  OFFER_ACCEPT: fc.record({
    type: fc.constant('OFFER_ACCEPT'),
    id: visibleAscii(64),
    token: hex32,
    have: fc.array(fc.record({ file: fileIndex, chunks: uint, digest: hex32, tail: fc.array(hex32, { maxLength: 4 }) }), { maxLength: 5 }),
    done: fc.array(fileIndex, { maxLength: 5 }),
  }),
  OFFER_DENY: fc.record({ type: fc.constant('OFFER_DENY'), id: visibleAscii(64), code: fc.constantFrom(...OFFER_DENY_CODES), reason }),
  CANCEL: fc.record({ type: fc.constant('CANCEL'), id: visibleAscii(64), code: fc.constantFrom(...CANCEL_CODES), reason }),
  TRANSFER_DONE: fc.record({
    type: fc.constant('TRANSFER_DONE'),
    id: visibleAscii(64),
    files: fc.array(fc.record({ path: offeredPath, root: hex32 }), { maxLength: 10 }),
  }),
  TRANSFER_PAUSE: fc.record({ type: fc.constant('TRANSFER_PAUSE'), id: visibleAscii(64), code: fc.constantFrom(...PAUSE_CODES), reason }),
  BULK_OPEN: fc.record({ type: fc.constant('BULK_OPEN'), id: visibleAscii(64), token: hex32 }),
  FILE_END: fc.record({ type: fc.constant('FILE_END'), file: fileIndex, root: hex32 }),
  BULK_ACK: fc.record({ type: fc.constant('BULK_ACK'), seq: uint }),
};
