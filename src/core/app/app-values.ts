/**
 * Application values ⇄ message bytes, one rule per data type:
 *   json        UTF-8 JSON (JSON.stringify / JSON.parse; nothing is revived)
 *   text        UTF-8 (invalid UTF-8 from a peer is a violation)
 *   bytes       the bytes as they are (a Uint8Array)
 *   structured  CBOR (RFC 8949, cbor2): Date, Map, Set, Uint8Array, bigint, nested objects.
 *               Data only: no tag ever builds a function or runs code (no v8.deserialize, no eval).
 *               Decoding knows only the tags of those values (dates 0/1/100/1004, bignums 2/3,
 *               Set 258, typed arrays 64–87, self-described 55799); any other tag (RegExp 35 /
 *               21065 / 21066, URL 32, embedded CBOR 24, JSON 262, …) stays a plain cbor2 `Tag`
 *               holding its contents, never a RegExp built from peer text. A `__proto__` key
 *               is an own data property (the prototype is untouched); nesting is capped at 1024.
 */
import { decode as cborDecode, encode as cborEncode, Tag, type TagDecoder } from 'cbor2';
import type { AppDataType } from '../../protocol/messages/app.js';
import { EngineError } from '../errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

const ALLOWED_TAGS = [0, 1, 100, 1004, 2, 3, 258, 55799, ...Array.from({ length: 24 }, (_, i) => 64 + i)];
/** The decoders of the allowed tags (cbor2's own), resolved once; the global registry is not consulted. */
const STRUCTURED_TAGS = new Map<number, TagDecoder>(ALLOWED_TAGS.flatMap((t) => {
  const d = Tag.getDecoder(t);
  return d ? [[t, d] as [number, TagDecoder]] : [];
}));

/** Encode `value` as `type`; throws EngineError ERR_USAGE when the value is not of that type. */
export function encodeAppValue(type: AppDataType, value: unknown): Uint8Array {
  switch (type) {
    case 'text':
      if (typeof value !== 'string') throw usage(`a text connection sends strings, got ${typeof value}`);
      return Buffer.from(value, 'utf8');
    case 'bytes':
      if (!(value instanceof Uint8Array)) throw usage('a bytes connection sends Uint8Array (or Buffer) values');
      return value;
    case 'json': {
      let text: string | undefined;
      try {
        text = JSON.stringify(value);
      } catch (err) {
        throw usage(`value is not JSON: ${(err as Error).message}`);
      }
      if (text === undefined) throw usage('value is not JSON (undefined, a function or a symbol)');
      return Buffer.from(text, 'utf8');
    }
    case 'structured':
      try {
        return cborEncode(value, { collapseBigInts: false }); // a bigint stays a bignum (5n comes back 5n, not 5)
      } catch (err) {
        throw usage(`value cannot be encoded as structured data: ${(err as Error).message}`);
      }
  }
}

/** Decode a peer's message; throws EngineError ERR_APP_VIOLATION when it is not valid `type` data. */
export function decodeAppValue(type: AppDataType, body: Buffer): unknown {
  try {
    switch (type) {
      case 'text':
        return utf8.decode(body);
      case 'bytes':
        return new Uint8Array(body.buffer, body.byteOffset, body.length);
      case 'json':
        return JSON.parse(utf8.decode(body));
      case 'structured':
        return cborDecode(new Uint8Array(body.buffer, body.byteOffset, body.length), { ignoreGlobalTags: true, tags: STRUCTURED_TAGS });
    }
  } catch (err) {
    throw new EngineError('ERR_APP_VIOLATION', `a ${type} message that does not decode: ${(err as Error).message}`, 'peer-fault', { cause: err });
  }
}

function usage(text: string): EngineError {
  return new EngineError('ERR_USAGE', text, 'usage');
}
