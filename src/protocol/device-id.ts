/**
 * Device IDs: SHA-256 of the certificate DER (32 bytes).
 *
 * Canonical text form (used everywhere: JSON, screen, pin store): RFC 4648
 * base32 without padding (52 characters), split into four 13-character parts,
 * each followed by one Luhn mod-32 check character (56 characters), then
 * grouped by 7 with dashes:
 *   MFZWI3D-BONSGYC-YLTMRWG-C43ENR5-QXGZAFX-RWG5DEY-BONSGYC-YLTMRWG (illustrative)
 * The short form for the UI is the first group (7 characters).
 *
 * Parsing accepts any case, with or without dashes (and spaces), maps the
 * common look-alikes 0→O, 1→I, 8→B, then checks every check character; the
 * all-zero ID (its checks pass) is refused.
 */
import { createHash } from 'node:crypto';
import { ProtocolError } from './errors.js';

export const DEVICE_ID_BYTES = 32;
export const SHORT_ID_LENGTH = 7;
/** Shortest device-ID prefix accepted to name a peer on the command line. */
export const MIN_ID_PREFIX = 7;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A device ID in canonical text form. Branded so raw strings need parsing first. */
export type DeviceId = string & { readonly __brand: 'DeviceId' };

export function base32Encode(buf: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Buffer {
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of text) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) throw new ProtocolError('ERR_BAD_DEVICE_ID', `invalid base32 character ${JSON.stringify(ch)}`);
    value = ((value << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** Luhn mod N over the base32 alphabet (as Syncthing does). */
export function luhn32(part: string): string {
  let factor = 1;
  let sum = 0;
  const n = 32;
  for (const ch of part) {
    const code = ALPHABET.indexOf(ch);
    let addend = factor * code;
    factor = factor === 2 ? 1 : 2;
    addend = Math.floor(addend / n) + (addend % n);
    sum += addend;
  }
  const remainder = sum % n;
  return ALPHABET[(n - remainder) % n]!;
}

export function deviceIdFromBytes(bytes: Uint8Array): DeviceId {
  if (bytes.length !== DEVICE_ID_BYTES) {
    throw new ProtocolError('ERR_BAD_DEVICE_ID', `a device ID is ${DEVICE_ID_BYTES} bytes, got ${bytes.length}`);
  }
  const b32 = base32Encode(bytes); // 52 chars
  let withChecks = '';
  for (let i = 0; i < 4; i++) {
    const part = b32.slice(i * 13, i * 13 + 13);
    withChecks += part + luhn32(part);
  }
  const groups: string[] = [];
  for (let i = 0; i < withChecks.length; i += 7) groups.push(withChecks.slice(i, i + 7));
  return groups.join('-') as DeviceId;
}

/** Device ID of a certificate, from its DER encoding. */
export function deviceIdFromCertDer(der: Uint8Array): DeviceId {
  return deviceIdFromBytes(createHash('sha256').update(der).digest());
}

function normalise(text: string): string {
  return text
    .trim()
    .toUpperCase()
    .replace(/[-\s]/g, '')
    .replace(/0/g, 'O')
    .replace(/1/g, 'I')
    .replace(/8/g, 'B');
}

/** Parse any accepted spelling into the canonical form, checking every check character. */
export function parseDeviceId(text: string): DeviceId {
  const s = normalise(text);
  if (s.length !== 56) {
    throw new ProtocolError('ERR_BAD_DEVICE_ID', `a device ID has 56 characters (without dashes), got ${s.length}`);
  }
  let b32 = '';
  for (let i = 0; i < 4; i++) {
    const chunk = s.slice(i * 14, i * 14 + 14);
    const part = chunk.slice(0, 13);
    for (const ch of part) {
      if (!ALPHABET.includes(ch)) throw new ProtocolError('ERR_BAD_DEVICE_ID', `invalid character ${JSON.stringify(ch)} in device ID`);
    }
    if (luhn32(part) !== chunk[13]) {
      throw new ProtocolError('ERR_BAD_DEVICE_ID', `device ID check character ${i + 1} does not match (typo?)`);
    }
    b32 += part;
  }
  const bytes = base32Decode(b32).subarray(0, DEVICE_ID_BYTES);
  // All zeros passes every check character, and is nobody's certificate hash.
  if (bytes.every((b) => b === 0)) throw new ProtocolError('ERR_BAD_DEVICE_ID', 'an all-zero device ID is not a real one');
  return deviceIdFromBytes(bytes);
}

export function isDeviceId(text: string): text is DeviceId {
  try {
    return parseDeviceId(text) === text;
  } catch {
    return false;
  }
}

/** The 32 raw bytes behind a canonical ID. */
export function deviceIdBytes(id: DeviceId): Buffer {
  const s = id.replace(/-/g, '');
  let b32 = '';
  for (let i = 0; i < 4; i++) b32 += s.slice(i * 14, i * 14 + 13);
  return base32Decode(b32).subarray(0, DEVICE_ID_BYTES);
}

/** Short form for the UI: the first group. */
export function shortId(id: DeviceId | string): string {
  return id.slice(0, SHORT_ID_LENGTH);
}

/** Prefix comparison that ignores dashes and case (for naming peers by ID prefix). */
export function idMatchesPrefix(id: DeviceId, prefix: string): boolean {
  const p = normalise(prefix);
  return p.length > 0 && id.replace(/-/g, '').startsWith(p);
}
