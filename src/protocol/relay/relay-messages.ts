/**
 * Relay wire messages, spoken only on the relay ALPN (`peerdeck-relay/1`),
 * between a client and a relay. Same 5-byte frame as peer sessions (type u8 +
 * u32 BE length), JSON bodies, but an own registry: a relay connection accepts
 * exactly these frame types and a peer session none of them.
 *
 * Registration is the mutual-TLS handshake itself: the relay maps the SHA-256
 * of the certificate presented in the handshake (never an ID in a payload) to
 * the live connection and answers RELAY_OK. Last registration of an ID wins;
 * the older connection gets RELAY_REFUSED {code: REPLACED} and is closed.
 *
 *   0x61 RELAY_OK            R→C  {v, pingMs, limits, held}
 *   0x62 RELAY_REFUSED       R→C  {code, reason?, id?}   (typed; never a silent drop)
 *   0x63 RELAY_KEEPALIVE     both {n}
 *   0x64 RELAY_KEEPALIVE_ACK both {n}
 *   0x65 RELAY_DEPOSIT       C→R  {to, id, envelope}    envelope = base64 of envelope.ts bytes
 *   0x66 RELAY_STORED        R→C  {id, to, where}       hop ack only (the outbox waits for the E2E receipt)
 *   0x67 RELAY_FETCH         C→R  {}                    "send me what you hold" (re-sends un-ACKed pushes)
 *   0x68 RELAY_PUSH          R→C  {id, from, at, envelope}
 *   0x69 RELAY_ACK           C→R  {ids}                 the relay deletes them
 *   0x6A..0x6F reserved (SPLICE later)
 */
import * as z from 'zod';
import type { Frame, FrameLimits } from '../frame.js';
import type { FrameDecoder } from '../frame-decoder.js';
import { createRegistry } from '../messages/registry.js';
import { isDeviceId } from '../device-id.js';
import { jsonCodec, reasonSchema, uintSchema, type MessageCodec, type MessageOf } from '../messages/codec.js';
import { MAX_ENVELOPE_BYTES } from './envelope.js';

export const RELAY_PROTOCOL_VERSION = 1;

/** Refusal codes: each names one limit or rule, so a client can react (retry later, drop, re-register). */
export const RELAY_REFUSAL_CODES = [
  'NOT_ALLOWED', // not on the relay's --allow list
  'FULL', // the relay serves its maximum number of clients
  'QUOTA', // the recipient's mailbox (count or bytes) or the relay total is full
  'TOO_LARGE', // the envelope is over the relay's envelope cap
  'RATE', // too many deposits per minute from this depositor
  'DUPLICATE', // an envelope with this id is already held for this recipient (it counts as stored)
  'REPLACED', // a newer registration of the same device ID took over this connection
  'BAD_ENVELOPE', // the envelope's routing header does not parse or names another recipient
  'UNEXPECTED', // a message the relay does not take in this direction
] as const;
export type RelayRefusalCode = (typeof RELAY_REFUSAL_CODES)[number];

/** 16-byte message id as 32 lower-case hex digits (the envelope's message id). */
export const relayIdSchema = z.string().regex(/^[0-9a-f]{32}$/, 'must be 32 lower-case hex digits');
const deviceIdSchema = z.string().refine(isDeviceId, 'must be a device ID');
/** Standard base64 of at most MAX_ENVELOPE_BYTES. */
const envelopeB64Schema = z
  .string()
  .max(Math.ceil(MAX_ENVELOPE_BYTES / 3) * 4)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
/** Most ids in one RELAY_ACK. */
export const MAX_ACK_IDS = 256;

/** Frame cap for frames carrying an envelope: base64 of the largest envelope plus the JSON around it. */
export const MAX_RELAY_ENVELOPE_FRAME_BYTES = Math.ceil(MAX_ENVELOPE_BYTES / 3) * 4 + 1024;

const limitsSchema = z.object({
  maxEnvelopeBytes: uintSchema,
  maxQueueEnvelopes: uintSchema,
  maxQueueBytes: uintSchema,
  ttlMs: uintSchema,
});

export const relayOkCodec = jsonCodec(
  'RELAY_OK',
  0x61,
  z.object({ v: z.int().min(0).max(0xffff), pingMs: uintSchema, limits: limitsSchema, held: uintSchema }),
);
export const relayRefusedCodec = jsonCodec(
  'RELAY_REFUSED',
  0x62,
  z.object({ code: z.enum(RELAY_REFUSAL_CODES), reason: reasonSchema.optional(), id: relayIdSchema.optional() }),
);
export const relayKeepaliveCodec = jsonCodec('RELAY_KEEPALIVE', 0x63, z.object({ n: uintSchema }));
export const relayKeepaliveAckCodec = jsonCodec('RELAY_KEEPALIVE_ACK', 0x64, z.object({ n: uintSchema }));
export const relayDepositCodec = jsonCodec(
  'RELAY_DEPOSIT',
  0x65,
  z.object({ to: deviceIdSchema, id: relayIdSchema, envelope: envelopeB64Schema }),
  MAX_RELAY_ENVELOPE_FRAME_BYTES,
);
export const relayStoredCodec = jsonCodec(
  'RELAY_STORED',
  0x66,
  z.object({ id: relayIdSchema, to: deviceIdSchema, where: z.enum(['held', 'pushed']) }),
);
export const relayFetchCodec = jsonCodec('RELAY_FETCH', 0x67, z.object({}));
export const relayPushCodec = jsonCodec(
  'RELAY_PUSH',
  0x68,
  z.object({ id: relayIdSchema, from: deviceIdSchema, at: uintSchema, envelope: envelopeB64Schema }),
  MAX_RELAY_ENVELOPE_FRAME_BYTES,
);
export const relayAckCodec = jsonCodec('RELAY_ACK', 0x69, z.object({ ids: z.array(relayIdSchema).min(1).max(MAX_ACK_IDS) }));

const CODECS = [
  relayOkCodec,
  relayRefusedCodec,
  relayKeepaliveCodec,
  relayKeepaliveAckCodec,
  relayDepositCodec,
  relayStoredCodec,
  relayFetchCodec,
  relayPushCodec,
  relayAckCodec,
] as const;

export type RelayMessage = MessageOf<(typeof CODECS)[number]>;
export type RelayMessageType = RelayMessage['type'];
export type RelayMessageOfType<K extends RelayMessageType> = Extract<RelayMessage, { type: K }>;

type AnyCodec = MessageCodec<RelayMessage>;
export const RELAY_CODECS: readonly AnyCodec[] = CODECS as unknown as readonly AnyCodec[];

const registry = createRegistry<RelayMessage>('relay', RELAY_CODECS, { min: 0x60, max: 0x6f });

export const relayFrameLimits: FrameLimits = registry.frameLimits;
/** A decoder that accepts exactly the relay frame types. */
export const createRelayDecoder: () => FrameDecoder = registry.createDecoder;
export const encodeRelayMessage: (msg: RelayMessage) => Buffer = registry.encode;
export const decodeRelayMessage: (frame: Frame) => RelayMessage = registry.decode;
