/**
 * The codec contract every registry entry fulfils, the JSON codec used by all
 * control messages, and the schema pieces the families share.
 *
 * A control message travels as the UTF-8 JSON of its body; the `type` field is
 * not on the wire (the frame type byte says it). Bodies are validated with zod
 * both ways: unknown fields are stripped (a newer peer may add fields), but
 * types and limits are strict.
 */
import * as z from 'zod';
import { MAX_CONTROL_BYTES } from '../constants.js';
import { ProtocolError } from '../errors.js';

/** Encoder/decoder for one message type. `T` is the message object, including its `type`. */
export interface MessageCodec<T extends { readonly type: string }> {
  readonly type: T['type'];
  /** The frame type byte (unique across the registry). */
  readonly frameType: number;
  /** Largest payload accepted for this frame type; the decoder rejects bigger headers before buffering. */
  readonly maxPayloadBytes: number;
  /** Message → frame payload (throws ProtocolError if the message breaks the schema). */
  encode(msg: T): Buffer;
  /** Frame payload → message (throws only ProtocolError). */
  decode(payload: Buffer): T;
}

/** The message type a codec carries. */
export type MessageOf<C> = C extends MessageCodec<infer T> ? T : never;

type Flatten<T> = { [P in keyof T]: T[P] } & {};
/** A schema's output; an empty object schema gives `{}` (zod types it as a never-valued record). */
type Body<S extends z.ZodObject> = string extends keyof z.output<S> ? object : z.output<S>;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function malformed(type: string, err: unknown): ProtocolError {
  if (err instanceof z.ZodError) {
    const issue = err.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : '(body)';
    return new ProtocolError('ERR_MALFORMED_MESSAGE', `${type}: ${where}: ${issue?.message ?? 'invalid'}`, { cause: err });
  }
  return new ProtocolError('ERR_MALFORMED_MESSAGE', `${type}: payload is not valid UTF-8 JSON`, { cause: err });
}

/** A codec for a JSON control message whose body is checked by `schema`. */
export function jsonCodec<K extends string, S extends z.ZodObject>(
  type: K,
  frameType: number,
  schema: S,
  maxPayloadBytes = MAX_CONTROL_BYTES,
): MessageCodec<Flatten<{ type: K } & Body<S>>> {
  type T = Flatten<{ type: K } & Body<S>>;
  return {
    type: type as T['type'],
    frameType,
    maxPayloadBytes,
    encode(msg: T): Buffer {
      const { type: _type, ...body } = msg;
      const parsed = schema.safeParse(body);
      if (!parsed.success) throw malformed(type, parsed.error);
      return Buffer.from(JSON.stringify(parsed.data), 'utf8');
    },
    decode(payload: Buffer): T {
      let json: unknown;
      try {
        json = JSON.parse(utf8.decode(payload));
      } catch (err) {
        throw malformed(type, err);
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) throw malformed(type, parsed.error);
      return { type, ...parsed.data } as T;
    },
  };
}

// ---- shared schema pieces -------------------------------------------------

/** Longest peer or device name, in UTF-16 code units (a screen column budget, not a byte budget). */
export const MAX_NAME_CHARS = 64;
/** Longest free-text reason in DENY / BYE / PAIR_REJECT: one status line. */
export const MAX_REASON_CHARS = 200;

/** A display name: any text up to MAX_NAME_CHARS (shown through toTerminalSafe, never raw). */
export const nameSchema = z.string().max(MAX_NAME_CHARS);
/** A one-line human-readable reason. */
export const reasonSchema = z.string().max(MAX_REASON_CHARS);
/** Visible ASCII (0x21–0x7E): ids and tokens that are logged and compared, never prettified. */
export function visibleAscii(maxChars: number): z.ZodString {
  return z.string().min(1).max(maxChars).regex(/^[\x21-\x7e]+$/, 'must be visible ASCII');
}
/** 32 bytes as 64 lower-case hex digits (nonces, commitments, hashes). */
export const hex32Schema = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits');
/** A non-negative safe integer. */
export const uintSchema = z.int().min(0);
