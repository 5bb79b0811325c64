/**
 * A table of message codecs (type ⇄ frame type byte) and encode/decode of whole
 * frames over it. The session registry (index.ts) and the relay's (../relay/)
 * are two instances: each connection kind accepts exactly its own table.
 */
import { encodeFrame, type Frame, type FrameLimits } from '../frame.js';
import { FrameDecoder } from '../frame-decoder.js';
import { ProtocolError } from '../errors.js';
import type { MessageCodec } from './codec.js';

export interface MessageRegistry<M extends { readonly type: string }> {
  /** The frame type byte of a message type. */
  frameTypeOf(type: M['type']): number;
  /** The message type carried by a frame type byte, or undefined if unknown. */
  messageTypeOf(frameType: number): M['type'] | undefined;
  /** Frame caps for FrameDecoder: each registered type's limit; unknown bytes are refused. */
  readonly frameLimits: FrameLimits;
  /** A decoder that accepts exactly the registered frame types. */
  createDecoder(): FrameDecoder;
  /** A whole frame for `msg`. Throws ProtocolError if it breaks its schema or its frame cap. */
  encode(msg: M): Buffer;
  /** The message in a frame. Throws only ProtocolError (unknown type, over the cap, malformed body). */
  decode(frame: Frame): M;
}

/** Build a registry; duplicate names or bytes, or a byte outside [min, max], fail at load. */
export function createRegistry<M extends { readonly type: string }>(
  name: string,
  codecs: readonly MessageCodec<M>[],
  range: { min: number; max: number },
): MessageRegistry<M> {
  const byType = new Map<string, MessageCodec<M>>();
  const byFrameType = new Map<number, MessageCodec<M>>();
  for (const codec of codecs) {
    const clash = byType.get(codec.type) ?? byFrameType.get(codec.frameType);
    if (clash) throw new Error(`${name} registry: ${codec.type} clashes with ${clash.type}`);
    if (!Number.isInteger(codec.frameType) || codec.frameType < range.min || codec.frameType > range.max) {
      throw new Error(`${name} registry: ${codec.type} has frame type ${codec.frameType}, outside ${range.min}..${range.max}`);
    }
    byType.set(codec.type, codec);
    byFrameType.set(codec.frameType, codec);
  }
  const frameLimits: FrameLimits = (type) => byFrameType.get(type)?.maxPayloadBytes;
  return {
    frameTypeOf: (type) => byType.get(type)!.frameType,
    messageTypeOf: (frameType) => byFrameType.get(frameType)?.type,
    frameLimits,
    createDecoder: () => new FrameDecoder(frameLimits),
    encode(msg) {
      const codec = byType.get(msg.type);
      if (!codec) throw new ProtocolError('ERR_UNKNOWN_FRAME_TYPE', `no ${name} codec for message type ${String(msg.type)}`);
      const payload = codec.encode(msg);
      if (payload.length > codec.maxPayloadBytes) {
        throw new ProtocolError('ERR_FRAME_TOO_LARGE', `${msg.type} is ${payload.length} bytes, cap is ${codec.maxPayloadBytes}`);
      }
      return encodeFrame(codec.frameType, payload);
    },
    decode(frame) {
      const codec = byFrameType.get(frame.type);
      if (!codec) {
        throw new ProtocolError('ERR_UNKNOWN_FRAME_TYPE', `unknown ${name} frame type 0x${frame.type.toString(16).padStart(2, '0')}`);
      }
      if (frame.payload.length > codec.maxPayloadBytes) {
        throw new ProtocolError('ERR_FRAME_TOO_LARGE', `${codec.type} is ${frame.payload.length} bytes, cap is ${codec.maxPayloadBytes}`);
      }
      return codec.decode(frame.payload);
    },
  };
}
