/**
 * The message registry: the one table mapping message `type` ⇄ frame type byte,
 * and encode/decode of whole frames.
 *
 * Frame type bytes (0x00 is never used, so zeroed memory is not a frame):
 *   0x01–0x0F session    HELLO 01, ACCEPT 02, DENY 03, BYE 04
 *   0x10–0x1F pairing    PAIR_COMMIT 10, PAIR_NONCE 11, PAIR_REVEAL 12, PAIR_CONFIRM 13, PAIR_REJECT 14
 *   0x20–0x2F heartbeat  HEARTBEAT 20, HEARTBEAT_ACK 21
 *   0x30–0x3F chat       CHAT 30, CHAT_ACK 31
 *   0x40–0x5F transfer   OFFER 40, OFFER_ACCEPT 41, OFFER_DENY 42, CANCEL 43, TRANSFER_DONE 44,
 *                        TRANSFER_PAUSE 45; bulk connection: BULK_OPEN 50, FILE_END 51, BULK_ACK 52
 *   0x60–0x6F relay: own registry on its own ALPN (../relay/relay-messages.ts), never on a peer session
 *   0x70–0x7F swarm (reserved)
 *   0x80–0xFF binary     CHUNK 80 (FRAME_TYPE_CHUNK, bulk connection only; codec in ../chunk-frame.ts)
 *
 * To add a family: write `messages/<family>.ts` exporting its codecs as a
 * `const` tuple, spread it into CODECS below, then add a sample and an
 * arbitrary per new type (test/protocol/helpers/samples.ts, arbitraries.ts;
 * both are typed so a missing one is a compile error) and regenerate the golden
 * fixtures with UPDATE_FIXTURES=1. Duplicate names or bytes fail at load.
 * Caps: MAX_CONTROL_BYTES per control frame, except CHAT (MAX_CHAT_FRAME_BYTES) and
 * the transfer manifests OFFER, OFFER_ACCEPT, TRANSFER_DONE (MAX_MANIFEST_FRAME_BYTES).
 */
import type { Frame, FrameLimits } from '../frame.js';
import type { FrameDecoder } from '../frame-decoder.js';
import type { MessageCodec, MessageOf } from './codec.js';
import { createRegistry } from './registry.js';
import { chatCodecs } from './chat.js';
import { heartbeatCodecs } from './heartbeat.js';
import { pairingCodecs } from './pairing.js';
import { sessionCodecs } from './session.js';
import { transferCodecs } from './transfer.js';

export * from './chat.js';
export * from './heartbeat.js';
export * from './pairing.js';
export * from './session.js';
export * from './transfer.js';
export type { MessageCodec, MessageOf } from './codec.js';

const CODECS = [...sessionCodecs, ...pairingCodecs, ...heartbeatCodecs, ...chatCodecs, ...transferCodecs] as const;

/** Every message this build understands, as a union discriminated by `type`. */
export type Message = MessageOf<(typeof CODECS)[number]>;
export type MessageType = Message['type'];
export type MessageOfType<K extends MessageType> = Extract<Message, { type: K }>;

type AnyCodec = MessageCodec<Message>;

/** All codecs, in table order. */
export const MESSAGE_CODECS: readonly AnyCodec[] = CODECS as unknown as readonly AnyCodec[];

const registry = createRegistry<Message>('message', MESSAGE_CODECS, { min: 1, max: 0xff });

/** The frame type byte of a message type. */
export const frameTypeOf: (type: MessageType) => number = registry.frameTypeOf;
/** The message type carried by a frame type byte, or undefined if unknown. */
export const messageTypeOf: (frameType: number) => MessageType | undefined = registry.messageTypeOf;
/** Frame caps for FrameDecoder: each registered type's limit; unknown bytes are refused. */
export const messageFrameLimits: FrameLimits = registry.frameLimits;
/** A decoder that accepts exactly the registered frame types. */
export const createMessageDecoder: () => FrameDecoder = registry.createDecoder;
/** A whole frame for `msg`. Throws ProtocolError if it breaks its schema or its frame cap. */
export const encodeMessage: (msg: Message) => Buffer = registry.encode;
/** The message in a frame. Throws only ProtocolError (unknown type, over the cap, malformed body). */
export const decodeMessage: (frame: Frame) => Message = registry.decode;
