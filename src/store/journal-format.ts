/**
 * The journal file format (version 1), all integers big-endian:
 *
 *   file   = header record*
 *   header = "PDJRNL" 0x00 0x01                      (8 bytes: magic, version)
 *   record = length:u32  crc:u32  payload[length]
 *   crc    = CRC-32 (IEEE, as zlib) over the 4 length bytes, then the payload
 *
 * Why CRC-32: the checksum is there to catch torn writes and bit rot, not an
 * attacker (anyone who can write the file can also recompute a hash), and
 * CRC-32 detects every burst error up to 32 bits at a fraction of SHA-256's
 * cost. Covering the length bytes means a damaged length is caught as well.
 * `zlib.crc32` exists from Node 20.15; older 20.x use the table fallback.
 */
import zlib from 'node:zlib';

export const JOURNAL_HEADER = Buffer.from([0x50, 0x44, 0x4a, 0x52, 0x4e, 0x4c, 0x00, 0x01]); // "PDJRNL" v1
export const RECORD_HEADER_BYTES = 8;
/** Largest payload accepted (appending) and believed (reading). */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

type Crc32 = (data: Uint8Array, initial?: number) => number;

let table: Uint32Array | undefined;
/** Table-driven CRC-32 for Node < 20.15 (same polynomial and result as zlib.crc32). */
export const crc32Fallback: Crc32 = (data, initial = 0) => {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = ~initial >>> 0;
  for (const byte of data) crc = table[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
};

const nativeCrc32 = (zlib as { crc32?: Crc32 }).crc32;
export const crc32: Crc32 = nativeCrc32 ? (data, initial) => nativeCrc32(data, initial) : crc32Fallback;

export function recordChecksum(length: number, payload: Uint8Array): number {
  const len = Buffer.allocUnsafe(4);
  len.writeUInt32BE(length, 0);
  return crc32(payload, crc32(len));
}

/** One record, ready to write. The payload is copied. */
export function encodeRecord(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload.length);
  out.writeUInt32BE(payload.length, 0);
  out.writeUInt32BE(recordChecksum(payload.length, payload), 4);
  out.set(payload, RECORD_HEADER_BYTES);
  return out;
}
