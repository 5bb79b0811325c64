/**
 * Discovery datagrams (UDP): bytes ⇄ typed packets. Pure; no sockets, no timers.
 *
 * Layout (all integers big-endian), protocol version 1.0:
 *
 *   offset  size  field
 *   0       4     magic "PDKD" (50 44 4B 44)
 *   4       1     version major (1); another major → ERR_VERSION_MISMATCH
 *   5       1     version minor (0)
 *   6       1     kind: 1 PING (announce), 2 PONG (reply), 3 BYE (leave)
 *   7       1     flags: bit 0 QUERY (PING only: "please answer with a PONG");
 *                 other bits reserved, must be 0
 *   8       32    device ID, raw SHA-256 bytes
 *   40      2     TCP port of the sender's session listener, 1..65535
 *   42      1     name length N, 0..64
 *   43      N     display name, UTF-8 (must be valid UTF-8)
 *   43+N    …     nothing at minor 0 (see "Compatibility")
 *
 * The whole datagram is at most MAX_PACKET_BYTES; that is checked before any
 * other field, so an oversized datagram costs one comparison.
 *
 * Compatibility: a packet with the same major and a *newer* minor version may
 * carry extension bytes after the name and set flag bits we do not know; both
 * are ignored, so a 1.0 peer still discovers a 1.3 peer. For our own or an older
 * minor, trailing bytes and unknown flags mean the packet is malformed.
 *
 * Everything decoded here is unauthenticated: the name is shown only after
 * sanitising, the device ID is a hint that TLS must prove, and the sender's
 * address comes from the datagram, never from the payload (it has none).
 */
import { DEVICE_ID_BYTES, deviceIdBytes, deviceIdFromBytes, type DeviceId } from './device-id.js';
import { ProtocolError } from './errors.js';

/** "PDKD": peerdeck discovery. */
export const DISCOVERY_MAGIC: Readonly<Uint8Array> = Uint8Array.of(0x50, 0x44, 0x4b, 0x44);
export const DISCOVERY_VERSION: Readonly<DiscoveryVersion> = Object.freeze({ major: 1, minor: 0 });
/**
 * Largest datagram we look at. A 1.0 packet is at most 107 bytes; the rest is
 * room for extensions in later minors. Anything bigger is dropped unread.
 */
export const MAX_PACKET_BYTES = 512;
/** Display-name cap in UTF-8 bytes (also bounds what the UI has to lay out). */
export const MAX_NAME_BYTES = 64;
/** Bytes before the name: magic, major, minor, kind, flags, device ID, port, name length. */
export const HEADER_BYTES = 43;

export type DiscoveryKind = 'ping' | 'pong' | 'bye';

export interface DiscoveryVersion {
  readonly major: number;
  readonly minor: number;
}

interface PacketFields {
  readonly deviceId: DeviceId;
  /** TCP port of the sender's session listener, 1..65535. */
  readonly tcpPort: number;
  /** Display name as sent (valid UTF-8, ≤ 64 bytes, not sanitised). */
  readonly name: string;
}

export type DiscoveryPacket =
  | (PacketFields & { readonly kind: 'ping'; /** asks every receiver for a PONG */ readonly query: boolean })
  | (PacketFields & { readonly kind: 'pong' })
  | (PacketFields & { readonly kind: 'bye' });

/** A decoded packet, with the version the sender spoke. */
export type DecodedDiscoveryPacket = DiscoveryPacket & { readonly version: DiscoveryVersion };

const KIND_CODE: Readonly<Record<DiscoveryKind, number>> = { ping: 1, pong: 2, bye: 3 };
const FLAG_QUERY = 0x01;
const KNOWN_FLAGS = FLAG_QUERY;

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function bad(message: string): ProtocolError {
  return new ProtocolError('ERR_BAD_PACKET', `discovery packet: ${message}`);
}

function isPort(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 0xffff;
}

/** UTF-8 bytes of a display name; throws if it is over MAX_NAME_BYTES. */
function nameBytes(name: string): Uint8Array {
  const bytes = utf8.encode(name);
  if (bytes.length > MAX_NAME_BYTES) throw bad(`name is ${bytes.length} bytes, the limit is ${MAX_NAME_BYTES}`);
  return bytes;
}

/**
 * Cut a display name to at most MAX_NAME_BYTES of UTF-8 without splitting a
 * character (for our own name, which the user may have set to anything).
 */
export function clampDisplayName(name: string): string {
  let out = '';
  let size = 0;
  for (const ch of name) {
    const n = utf8.encode(ch).length;
    if (size + n > MAX_NAME_BYTES) break;
    out += ch;
    size += n;
  }
  return out;
}

export function encodeDiscoveryPacket(packet: DiscoveryPacket): Buffer {
  if (!isPort(packet.tcpPort)) throw bad(`TCP port ${packet.tcpPort} is not in 1..65535`);
  const name = nameBytes(packet.name);
  const id = deviceIdBytes(packet.deviceId);
  if (id.length !== DEVICE_ID_BYTES) throw bad('device ID is not 32 bytes');
  const out = Buffer.alloc(HEADER_BYTES + name.length);
  out.set(DISCOVERY_MAGIC, 0);
  out[4] = DISCOVERY_VERSION.major;
  out[5] = DISCOVERY_VERSION.minor;
  out[6] = KIND_CODE[packet.kind];
  out[7] = packet.kind === 'ping' && packet.query ? FLAG_QUERY : 0;
  out.set(id, 8);
  out.writeUInt16BE(packet.tcpPort, 40);
  out[42] = name.length;
  out.set(name, HEADER_BYTES);
  return out;
}

/** Decode one datagram. Throws ProtocolError (and nothing else) on any bad input. */
export function decodeDiscoveryPacket(data: Uint8Array): DecodedDiscoveryPacket {
  if (data.length > MAX_PACKET_BYTES) throw bad(`${data.length} bytes, the limit is ${MAX_PACKET_BYTES}`);
  if (data.length < HEADER_BYTES) throw bad(`${data.length} bytes is shorter than the ${HEADER_BYTES}-byte header`);
  for (let i = 0; i < DISCOVERY_MAGIC.length; i++) {
    if (data[i] !== DISCOVERY_MAGIC[i]) throw bad('bad magic');
  }
  const major = data[4]!;
  const minor = data[5]!;
  if (major !== DISCOVERY_VERSION.major) {
    throw new ProtocolError('ERR_VERSION_MISMATCH', `discovery packet: version ${major}.${minor}, we speak ${DISCOVERY_VERSION.major}.x`);
  }
  const newerMinor = minor > DISCOVERY_VERSION.minor;
  const code = data[6]!;
  const kind = (Object.keys(KIND_CODE) as DiscoveryKind[]).find((k) => KIND_CODE[k] === code);
  if (kind === undefined) throw bad(`unknown kind ${code}`);
  const flags = data[7]!;
  if (!newerMinor && (flags & ~KNOWN_FLAGS) !== 0) throw bad(`unknown flags 0x${flags.toString(16)}`);
  const query = (flags & FLAG_QUERY) !== 0;
  if (query && kind !== 'ping') throw bad('QUERY flag on a packet that is not a PING');
  const view = Buffer.from(data.buffer, data.byteOffset, data.length);
  const tcpPort = view.readUInt16BE(40);
  if (!isPort(tcpPort)) throw bad('TCP port 0');
  const nameLength = data[42]!;
  if (nameLength > MAX_NAME_BYTES) throw bad(`name length ${nameLength} is over ${MAX_NAME_BYTES}`);
  const end = HEADER_BYTES + nameLength;
  if (data.length < end) throw bad('truncated name');
  // Same or older minor: the packet must end here. Newer minor: extension bytes we skip.
  if (data.length > end && !newerMinor) throw bad(`${data.length - end} unexpected trailing bytes`);
  let name: string;
  try {
    name = strictUtf8.decode(data.subarray(HEADER_BYTES, end));
  } catch (cause) {
    throw new ProtocolError('ERR_BAD_PACKET', 'discovery packet: name is not valid UTF-8', { cause });
  }
  const deviceId = deviceIdFromBytes(data.subarray(8, 8 + DEVICE_ID_BYTES));
  const version: DiscoveryVersion = { major, minor };
  const fields = { deviceId, tcpPort, name, version };
  return kind === 'ping' ? { kind, query, ...fields } : { kind, ...fields };
}
