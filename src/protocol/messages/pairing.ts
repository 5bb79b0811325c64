/**
 * Pairing (commit-then-reveal, DESIGN §4): the initiator sends PAIR_COMMIT
 * (SHA-256 commitment to its nonce), the responder answers PAIR_NONCE, the
 * initiator reveals with PAIR_REVEAL; each user compares the 6-digit code and
 * confirms (PAIR_CONFIRM) or rejects (PAIR_REJECT). See ../pairing-code.ts.
 */
import * as z from 'zod';
import { hex32Schema, jsonCodec, nameSchema, reasonSchema, type MessageOf } from './codec.js';

export const PAIR_REJECT_CODES = ['REJECTED', 'CODE_MISMATCH', 'RATE_LIMITED', 'BUSY', 'ABORTED', 'TIMEOUT'] as const;
export type PairRejectCode = (typeof PAIR_REJECT_CODES)[number];

export const pairCommitCodec = jsonCodec('PAIR_COMMIT', 0x10, z.object({ commit: hex32Schema, name: nameSchema }));
export const pairNonceCodec = jsonCodec('PAIR_NONCE', 0x11, z.object({ nonce: hex32Schema, name: nameSchema }));
export const pairRevealCodec = jsonCodec('PAIR_REVEAL', 0x12, z.object({ nonce: hex32Schema }));
export const pairConfirmCodec = jsonCodec('PAIR_CONFIRM', 0x13, z.object({}));
export const pairRejectCodec = jsonCodec(
  'PAIR_REJECT',
  0x14,
  z.object({ code: z.enum(PAIR_REJECT_CODES), message: reasonSchema.optional() }),
);

export type PairCommit = MessageOf<typeof pairCommitCodec>;
export type PairNonce = MessageOf<typeof pairNonceCodec>;
export type PairReveal = MessageOf<typeof pairRevealCodec>;
export type PairConfirm = MessageOf<typeof pairConfirmCodec>;
export type PairReject = MessageOf<typeof pairRejectCodec>;

export const pairingCodecs = [pairCommitCodec, pairNonceCodec, pairRevealCodec, pairConfirmCodec, pairRejectCodec] as const;
