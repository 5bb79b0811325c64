/**
 * Application connections (the library API): frames on a connection of ALPN
 * peerdeck-app/1, one TLS connection per application connection. Not part of
 * the session registry (messages/index.ts): these frames never travel on a
 * session, and a session never accepts them.
 *
 *   0x01 APP_OPEN    JSON {dataType, size?, strict, timeoutMs}  initiator → responder, first frame
 *   0x02 APP_ACCEPT  JSON {}                                  responder → initiator
 *   0x03 APP_DENY    JSON {reason}                            responder → initiator, then close
 *   0x04 APP_DATA    binary: u8 data type code, then the message bytes
 *   0x05 APP_CLOSE   JSON {code, reason}                      either side, then FIN ('OK': a clean end)
 *   0x06 APP_PING    JSON {}                                  either side, keepalive when idle
 *
 * Frame = u8 type, u32 BE payload length, payload (../frame.ts).
 */
import * as z from 'zod';
import { FRAME_HEADER_BYTES } from '../constants.js';
import { ProtocolError } from '../errors.js';
import { FrameDecoder } from '../frame-decoder.js';
import { encodeFrame, writeFrameHeader } from '../frame.js';
import { jsonCodec, reasonSchema, visibleAscii, type MessageOf } from './codec.js';

/** Largest application message (the bytes after encoding): 4 MiB, like a transfer chunk. Larger data goes through sendFiles. */
export const MAX_APP_MESSAGE_BYTES = 4 * 1024 * 1024;

export const APP_DATA_TYPES = ['json', 'text', 'bytes', 'structured'] as const;
export type AppDataType = (typeof APP_DATA_TYPES)[number];

/** The u8 in front of each APP_DATA payload. */
export const APP_DATA_TYPE_CODES: Record<AppDataType, number> = { json: 1, text: 2, bytes: 3, structured: 4 };

export function appDataTypeOf(code: number): AppDataType | undefined {
  return APP_DATA_TYPES.find((t) => APP_DATA_TYPE_CODES[t] === code);
}

export const FRAME_APP_OPEN = 0x01;
export const FRAME_APP_ACCEPT = 0x02;
export const FRAME_APP_DENY = 0x03;
export const FRAME_APP_DATA = 0x04;
export const FRAME_APP_CLOSE = 0x05;
export const FRAME_APP_PING = 0x06;

export const appOpenCodec = jsonCodec(
  'APP_OPEN',
  FRAME_APP_OPEN,
  z.object({
    dataType: z.enum(APP_DATA_TYPES),
    size: z.int().min(1).max(MAX_APP_MESSAGE_BYTES).optional(),
    strict: z.boolean(),
    /** How long the initiator waits for ACCEPT/DENY (the responder stops waiting for its application then). */
    timeoutMs: z.int().min(1).max(10 * 60_000),
  }),
);
export const appAcceptCodec = jsonCodec('APP_ACCEPT', FRAME_APP_ACCEPT, z.object({}));
export const appDenyCodec = jsonCodec('APP_DENY', FRAME_APP_DENY, z.object({ reason: reasonSchema }));
export const appCloseCodec = jsonCodec('APP_CLOSE', FRAME_APP_CLOSE, z.object({ code: visibleAscii(64), reason: reasonSchema }));
export const appPingCodec = jsonCodec('APP_PING', FRAME_APP_PING, z.object({}));

export type AppOpen = MessageOf<typeof appOpenCodec>;
export type AppAccept = MessageOf<typeof appAcceptCodec>;
export type AppDeny = MessageOf<typeof appDenyCodec>;
export type AppClose = MessageOf<typeof appCloseCodec>;
export type AppPing = MessageOf<typeof appPingCodec>;
export type AppControl = AppOpen | AppAccept | AppDeny | AppClose | AppPing;
export interface AppData {
  readonly type: 'APP_DATA';
  /** The data type code byte as sent (may be unknown: the receiver decides what a mismatch means). */
  readonly typeCode: number;
  readonly body: Buffer;
}
export type AppFrame = AppControl | AppData;

const CONTROL = [appOpenCodec, appAcceptCodec, appDenyCodec, appCloseCodec, appPingCodec] as const;

/** A decoder for app connections: the control frames at their JSON cap, APP_DATA at the message cap + 1. */
export function createAppDecoder(): FrameDecoder {
  return new FrameDecoder((type) => (type === FRAME_APP_DATA ? MAX_APP_MESSAGE_BYTES + 1 : CONTROL.find((c) => c.frameType === type)?.maxPayloadBytes));
}

export function encodeAppControl(msg: AppControl): Buffer {
  const codec = CONTROL.find((c) => c.type === msg.type)!;
  return encodeFrame(codec.frameType, (codec.encode as (m: AppControl) => Buffer)(msg));
}

/** The 6 bytes in front of an APP_DATA body (frame header + data type code); the body is written after it, uncopied. */
export function appDataHeader(typeCode: number, bodyLength: number): Buffer {
  if (bodyLength > MAX_APP_MESSAGE_BYTES) throw new ProtocolError('ERR_FRAME_TOO_LARGE', `an application message is at most ${MAX_APP_MESSAGE_BYTES} bytes, got ${bodyLength}`);
  const head = Buffer.alloc(FRAME_HEADER_BYTES + 1);
  writeFrameHeader(head, 0, FRAME_APP_DATA, bodyLength + 1);
  head[FRAME_HEADER_BYTES] = typeCode;
  return head;
}

/** A decoded frame → message. Throws ProtocolError (malformed body, empty APP_DATA). */
export function decodeAppFrame(frame: { type: number; payload: Buffer }): AppFrame {
  if (frame.type === FRAME_APP_DATA) {
    if (frame.payload.length < 1) throw new ProtocolError('ERR_MALFORMED_MESSAGE', 'APP_DATA without its data type byte');
    return { type: 'APP_DATA', typeCode: frame.payload[0]!, body: frame.payload.subarray(1) };
  }
  const codec = CONTROL.find((c) => c.frameType === frame.type);
  if (!codec) throw new ProtocolError('ERR_UNKNOWN_FRAME_TYPE', `unknown app frame type 0x${frame.type.toString(16)}`);
  return codec.decode(frame.payload);
}
