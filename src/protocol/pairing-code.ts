/**
 * The 6-digit pairing code, commit-then-reveal (DESIGN §4, reliability.md §2).
 *
 * 1. Initiator I picks nI and sends PAIR_COMMIT { commit: pairingCommit(nI) }.
 * 2. Responder R answers PAIR_NONCE { nonce: nR }, before it can know nI.
 * 3. I reveals PAIR_REVEAL { nonce: nI }; R checks checkReveal(commit, nI).
 * 4. Both show pairingCode({ ids, nI, nR, exporter }), exporter being this TLS
 *    session's keying material (PAIRING_EXPORTER_LABEL, PAIRING_EXPORTER_BYTES).
 *
 * A man in the middle runs two sessions and must fix its nonce in one before it
 * learns the other's, so each attempt matches with probability 10⁻⁶. A code over
 * the two fingerprints alone would be public input and can be ground in about a
 * second: never compute one.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { deviceIdBytes, type DeviceId } from './device-id.js';
import { ProtocolError } from './errors.js';

/** Nonce size: 256 bits, so neither side can be guessed or pre-computed. */
export const PAIRING_NONCE_BYTES = 32;
/** RFC 5705/8446 exporter label binding the code to this TLS session. */
export const PAIRING_EXPORTER_LABEL = 'EXPORTER-peerdeck-pairing';
/** Exporter output size: one SHA-256 block of session-unique bytes. */
export const PAIRING_EXPORTER_BYTES = 32;
/** Number of digits in the code. */
export const PAIRING_CODE_DIGITS = 6;

/** Domain-separation tags (NUL-terminated) so a commitment can never double as a code input. */
const COMMIT_TAG = Buffer.from('peerdeck-pairing-commit-v1\0', 'utf8');
const CODE_TAG = Buffer.from('peerdeck-pairing-code-v1\0', 'utf8');
const CODE_MODULUS = 10n ** BigInt(PAIRING_CODE_DIGITS);

function requireBytes(what: string, value: Uint8Array, size: number): void {
  if (value.length !== size) {
    throw new ProtocolError('ERR_BAD_PAIRING_INPUT', `${what} must be ${size} bytes, got ${value.length}`);
  }
}

function commitDigest(nonce: Uint8Array): Buffer {
  requireBytes('pairing nonce', nonce, PAIRING_NONCE_BYTES);
  return createHash('sha256').update(COMMIT_TAG).update(nonce).digest();
}

/** The commitment to send in PAIR_COMMIT: 64 lower-case hex digits. */
export function pairingCommit(nonce: Uint8Array): string {
  return commitDigest(nonce).toString('hex');
}

/** Whether `nonce` opens `commitHex` (constant-time compare; malformed input is simply false). */
export function checkReveal(commitHex: string, nonce: Uint8Array): boolean {
  if (!/^[0-9a-f]{64}$/.test(commitHex) || nonce.length !== PAIRING_NONCE_BYTES) return false;
  return timingSafeEqual(Buffer.from(commitHex, 'hex'), commitDigest(nonce));
}

export interface PairingCodeInput {
  readonly initiatorId: DeviceId;
  readonly responderId: DeviceId;
  readonly initiatorNonce: Uint8Array;
  readonly responderNonce: Uint8Array;
  readonly exporter: Uint8Array;
}

/**
 * The code both users compare: 6 digits, zero-padded. SHA-256 over a tag and
 * fixed-size fields (no ambiguity), first 64 bits mod 10⁶ (bias below 10⁻¹³).
 */
export function pairingCode(input: PairingCodeInput): string {
  requireBytes('initiator nonce', input.initiatorNonce, PAIRING_NONCE_BYTES);
  requireBytes('responder nonce', input.responderNonce, PAIRING_NONCE_BYTES);
  requireBytes('TLS exporter', input.exporter, PAIRING_EXPORTER_BYTES);
  let ids: [Buffer, Buffer];
  try {
    ids = [deviceIdBytes(input.initiatorId), deviceIdBytes(input.responderId)];
  } catch (err) {
    throw new ProtocolError('ERR_BAD_PAIRING_INPUT', 'pairing needs two device IDs in canonical form', { cause: err });
  }
  requireBytes('initiator device ID', ids[0], 32);
  requireBytes('responder device ID', ids[1], 32);
  const digest = createHash('sha256')
    .update(CODE_TAG)
    .update(ids[0])
    .update(ids[1])
    .update(input.initiatorNonce)
    .update(input.responderNonce)
    .update(input.exporter)
    .digest();
  return (digest.readBigUInt64BE(0) % CODE_MODULUS).toString().padStart(PAIRING_CODE_DIGITS, '0');
}

/** '123456' → '123 456' for display. Other input is returned unchanged. */
export function formatPairingCode(code: string): string {
  return /^\d{6}$/.test(code) ? `${code.slice(0, 3)} ${code.slice(3)}` : code;
}
