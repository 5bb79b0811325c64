/**
 * The mailbox envelope: one peer message (a whole peer-protocol frame, e.g.
 * CHAT or CHAT_ACK) encrypted to the recipient and signed by the sender, so a
 * relay holding it can read nothing and forge nothing.
 *
 * Construction (suite 1), Node's built-in crypto on the existing RSA-3072
 * identity keys (relay.md R4 "fallback with no new key material"):
 *   - a fresh AES-256-GCM key and 12-byte IV per envelope;
 *   - the AES key wrapped with RSA-OAEP (SHA-256, MGF1-SHA-256) to the recipient's certificate key;
 *   - AAD = every byte before the IV: version, suite, recipient ID, sender ID, message id, time, wrapped key;
 *   - plaintext = u32 BE body length ‖ body ‖ zero padding up to a bucket (PLAINTEXT_BUCKETS);
 *   - RSA-PSS (SHA-256, salt 32) by the sender's identity key over SIGNATURE_CONTEXT ‖ every byte before the signature length.
 * Changing the sender ID in the header breaks the GCM tag (it is in the AAD),
 * so a re-signature by someone else cannot re-attribute a message.
 *
 * Layout (all integers big-endian):
 *   0   u8   version (1)          1  u8  suite (1)
 *   2   32 B recipient device ID  34 32 B sender device ID
 *   66  16 B message id           82 u64 sender time, ms since the epoch
 *   90  u16  W, wrapped key length; W bytes wrapped key
 *   +   12 B IV; u32 C, ciphertext length (a bucket size); C bytes ciphertext; 16 B GCM tag
 *   +   u16  S, signature length; S bytes signature; nothing after it
 * Overhead with RSA-3072: 894 bytes. Golden fixture: fixtures/envelopes/.
 *
 * Randomness (AES key, IV) is injectable for tests; RSA-OAEP and RSA-PSS add
 * their own randomness inside OpenSSL, so those two fields differ every time.
 */
import { constants, createCipheriv, createDecipheriv, randomBytes, sign, verify, publicEncrypt, privateDecrypt, type KeyObject } from 'node:crypto';
import { ProtocolError } from '../errors.js';
import { deviceIdBytes, deviceIdFromBytes, type DeviceId } from '../device-id.js';

export const ENVELOPE_VERSION = 1;
export const ENVELOPE_SUITE_RSA_OAEP_AESGCM_PSS = 1;
/** Plaintext sizes an envelope is padded to: a relay learns only the bucket. */
export const PLAINTEXT_BUCKETS = [256, 1024, 4096, 16 * 1024, 60 * 1024] as const;
/** Largest body one envelope carries (the last bucket minus its length prefix). */
export const MAX_ENVELOPE_BODY_BYTES = 60 * 1024 - 4;
/** Largest envelope on the wire (relay.md: 64 KiB, as DERP and iroh); the biggest bucket plus RSA overhead fits. */
export const MAX_ENVELOPE_BYTES = 64 * 1024;
export const ENVELOPE_ID_BYTES = 16;
export const SIGNATURE_CONTEXT = Buffer.from('peerdeck-envelope-v1\0', 'ascii');

const HEADER_BYTES = 90;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const AES_KEY_BYTES = 32;
const MAX_RSA_BYTES = 1024; // up to RSA-8192

export interface EnvelopeHeader {
  readonly version: number;
  readonly suite: number;
  readonly to: DeviceId;
  readonly from: DeviceId;
  /** 32 lower-case hex digits. */
  readonly id: string;
  /** Sender's clock, ms. */
  readonly at: number;
}

export interface SealInput {
  readonly to: DeviceId;
  readonly from: DeviceId;
  readonly id: string;
  readonly at: number;
  readonly body: Uint8Array;
  readonly recipientPublicKey: KeyObject;
  readonly senderPrivateKey: KeyObject;
  /** Test hook: the AES key (32 bytes) and IV (12 bytes) come from here. */
  readonly random?: (bytes: number) => Buffer;
}

export interface OpenInput {
  /** Who we are: an envelope for anyone else is refused before any crypto. */
  readonly self: DeviceId;
  readonly recipientPrivateKey: KeyObject;
  /** The sender's public key by device ID (from the pin store), or undefined for a sender we do not know. */
  readonly senderPublicKey: (from: DeviceId) => KeyObject | undefined;
}

export interface OpenedEnvelope extends EnvelopeHeader {
  readonly body: Buffer;
}

function bad(message: string): ProtocolError {
  return new ProtocolError('ERR_BAD_ENVELOPE', message);
}

function bucketFor(plainBytes: number): number {
  const bucket = PLAINTEXT_BUCKETS.find((b) => b >= plainBytes);
  if (bucket === undefined) {
    throw new ProtocolError('ERR_ENVELOPE_TOO_LARGE', `envelope body is ${plainBytes - 4} bytes, at most ${MAX_ENVELOPE_BODY_BYTES}`);
  }
  return bucket;
}

function idBytes(id: string): Buffer {
  if (!/^[0-9a-f]{32}$/.test(id)) throw bad('envelope id must be 32 lower-case hex digits');
  return Buffer.from(id, 'hex');
}

function headerBytes(h: Omit<EnvelopeHeader, 'version' | 'suite'>): Buffer {
  if (!Number.isSafeInteger(h.at) || h.at < 0) throw bad('envelope time must be a non-negative integer');
  const out = Buffer.alloc(HEADER_BYTES);
  out[0] = ENVELOPE_VERSION;
  out[1] = ENVELOPE_SUITE_RSA_OAEP_AESGCM_PSS;
  deviceIdBytes(h.to).copy(out, 2);
  deviceIdBytes(h.from).copy(out, 34);
  idBytes(h.id).copy(out, 66);
  out.writeBigUInt64BE(BigInt(h.at), 82);
  return out;
}

const u16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

const OAEP = (key: KeyObject) => ({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' });
const PSS = (key: KeyObject) => ({ key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });

/** Encrypt and sign one body. Throws ProtocolError ERR_ENVELOPE_TOO_LARGE for a body over MAX_ENVELOPE_BODY_BYTES. */
export function sealEnvelope(input: SealInput): Buffer {
  const random = input.random ?? randomBytes;
  const plainLength = 4 + input.body.length;
  const bucket = bucketFor(plainLength);
  const plain = Buffer.alloc(bucket);
  plain.writeUInt32BE(input.body.length, 0);
  plain.set(input.body, 4);

  const header = headerBytes(input);
  const aesKey = random(AES_KEY_BYTES);
  const iv = random(IV_BYTES);
  const wrapped = publicEncrypt(OAEP(input.recipientPublicKey), aesKey);
  const aad = Buffer.concat([header, u16(wrapped.length), wrapped]);
  const cipher = createCipheriv('aes-256-gcm', aesKey, iv);
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
  const signed = Buffer.concat([aad, iv, u32(ciphertext.length), ciphertext, cipher.getAuthTag()]);
  const signature = sign('sha256', Buffer.concat([SIGNATURE_CONTEXT, signed]), PSS(input.senderPrivateKey));
  const out = Buffer.concat([signed, u16(signature.length), signature]);
  if (out.length > MAX_ENVELOPE_BYTES) throw new ProtocolError('ERR_ENVELOPE_TOO_LARGE', `envelope is ${out.length} bytes`);
  return out;
}

interface Parsed {
  readonly header: EnvelopeHeader;
  readonly aad: Buffer;
  readonly wrapped: Buffer;
  readonly iv: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
  readonly signed: Buffer;
  readonly signature: Buffer;
}

function parse(bytes: Uint8Array): Parsed {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length > MAX_ENVELOPE_BYTES) throw new ProtocolError('ERR_ENVELOPE_TOO_LARGE', `envelope is ${buf.length} bytes`);
  let at = 0;
  const take = (n: number, what: string): Buffer => {
    if (n < 0 || at + n > buf.length) throw bad(`envelope ends inside its ${what}`);
    const out = buf.subarray(at, at + n);
    at += n;
    return out;
  };
  const head = take(HEADER_BYTES, 'header');
  if (head[0] !== ENVELOPE_VERSION) throw new ProtocolError('ERR_VERSION_MISMATCH', `envelope version ${head[0]}, this build reads ${ENVELOPE_VERSION}`);
  if (head[1] !== ENVELOPE_SUITE_RSA_OAEP_AESGCM_PSS) throw bad(`unknown envelope suite ${head[1]}`);
  const time = head.readBigUInt64BE(82);
  if (time > BigInt(Number.MAX_SAFE_INTEGER)) throw bad('envelope time out of range');
  const wrappedLength = take(2, 'wrapped key length').readUInt16BE(0);
  if (wrappedLength > MAX_RSA_BYTES) throw bad('wrapped key too long');
  const wrapped = take(wrappedLength, 'wrapped key');
  const aadEnd = at;
  const iv = take(IV_BYTES, 'IV');
  const cLength = take(4, 'ciphertext length').readUInt32BE(0);
  if (!(PLAINTEXT_BUCKETS as readonly number[]).includes(cLength)) throw bad(`ciphertext length ${cLength} is not a bucket size`);
  const ciphertext = take(cLength, 'ciphertext');
  const tag = take(TAG_BYTES, 'tag');
  const signedEnd = at;
  const sLength = take(2, 'signature length').readUInt16BE(0);
  if (sLength > MAX_RSA_BYTES) throw bad('signature too long');
  const signature = take(sLength, 'signature');
  if (at !== buf.length) throw bad(`${buf.length - at} stray bytes after the envelope signature`);
  const header: EnvelopeHeader = {
    version: head[0]!,
    suite: head[1]!,
    to: deviceIdFromBytes(head.subarray(2, 34)),
    from: deviceIdFromBytes(head.subarray(34, 66)),
    id: head.subarray(66, 82).toString('hex'),
    at: Number(time),
  };
  return { header, aad: buf.subarray(0, aadEnd), wrapped, iv, ciphertext, tag, signed: buf.subarray(0, signedEnd), signature };
}

/** The routing header only (what a relay may look at): no key needed, nothing decrypted. Throws ProtocolError. */
export function peekEnvelope(bytes: Uint8Array): EnvelopeHeader {
  return parse(bytes).header;
}

/**
 * Check and decrypt. Throws ProtocolError: ERR_ENVELOPE_NOT_FOR_US (another recipient),
 * ERR_ENVELOPE_UNKNOWN_SENDER, ERR_ENVELOPE_SIGNATURE, ERR_ENVELOPE_DECRYPT, ERR_BAD_ENVELOPE.
 */
export function openEnvelope(bytes: Uint8Array, input: OpenInput): OpenedEnvelope {
  const p = parse(bytes);
  if (p.header.to !== input.self) throw new ProtocolError('ERR_ENVELOPE_NOT_FOR_US', 'envelope is addressed to another device');
  const senderKey = input.senderPublicKey(p.header.from);
  if (!senderKey) throw new ProtocolError('ERR_ENVELOPE_UNKNOWN_SENDER', 'envelope sender is not a pinned peer with a known key');
  let good: boolean;
  try {
    good = verify('sha256', Buffer.concat([SIGNATURE_CONTEXT, p.signed]), PSS(senderKey), p.signature);
  } catch {
    good = false;
  }
  if (!good) throw new ProtocolError('ERR_ENVELOPE_SIGNATURE', 'envelope signature does not verify');
  let plain: Buffer;
  try {
    const aesKey = privateDecrypt(OAEP(input.recipientPrivateKey), p.wrapped);
    const decipher = createDecipheriv('aes-256-gcm', aesKey, p.iv);
    decipher.setAAD(p.aad);
    decipher.setAuthTag(p.tag);
    plain = Buffer.concat([decipher.update(p.ciphertext), decipher.final()]);
  } catch (err) {
    throw new ProtocolError('ERR_ENVELOPE_DECRYPT', 'envelope does not decrypt', { cause: err });
  }
  const length = plain.readUInt32BE(0);
  if (length > plain.length - 4) throw bad('envelope body length exceeds its bucket');
  const body = plain.subarray(4, 4 + length);
  if (plain.subarray(4 + length).some((b) => b !== 0)) throw bad('envelope padding is not zero');
  return { ...p.header, body: Buffer.from(body) };
}
