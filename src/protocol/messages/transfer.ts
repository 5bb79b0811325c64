/**
 * Transfers (DESIGN §4). Session control messages, JSON over the peer's
 * session connection:
 *
 *   sender                                   receiver
 *   OFFER {id, files, dirs, chunkSize, totalBytes}  →
 *                      ← OFFER_ACCEPT {id, token, have, done} | OFFER_DENY {id, code, reason}
 *   (bulk connection, ALPN peerdeck-bulk/1, dialled by the sender)
 *   BULK_OPEN {id, token} → CHUNK… FILE_END {file, root} … (per file, in order)
 *                      ← BULK_ACK {seq}   (cumulative count of CHUNK frames verified and written)
 *                      ← TRANSFER_DONE {id, files: [{path, root}]}   (session: all verified and published)
 *   CANCEL {id, code, reason}: either side, final. TRANSFER_PAUSE: receiver, resumable (disk full, bad chunk).
 *
 * Resume: the sender re-sends OFFER with the same id; a receiver that already
 * accepted it answers at once with what is verifiably on its disk (`have`:
 * per file a checkpointed chunk count with a digest of those chunk hashes, plus
 * the hashes of the unconfirmed tail it re-read), and the sender starts each
 * file after the longest prefix that matches its own chunk hashes.
 *
 * Offered paths are only *suggestions*: the receiver checks them with
 * validatePathSet before anything else, and answers OFFER_DENY BAD_PATH with
 * the rule broken.
 */
import * as z from 'zod';
import { hex32Schema, jsonCodec, reasonSchema, uintSchema, visibleAscii, type MessageOf } from './codec.js';

/** Files plus folders in one offer. 50 000 covers a source tree with its node_modules; the manifest stays a few MiB. */
export const MAX_OFFER_ENTRIES = 50_000;
/** Bytes in one offer: 16 TiB. Far above any disk, far below 2^53, so sums stay exact. */
export const MAX_OFFER_TOTAL_BYTES = 2 ** 44;
/**
 * Cap on the frames that list every file (OFFER, OFFER_ACCEPT, TRANSFER_DONE):
 * MAX_OFFER_ENTRIES entries of ~100 bytes of JSON each fit with room for long
 * names; the sender's scan refuses a bigger manifest before it is sent.
 */
export const MAX_MANIFEST_FRAME_BYTES = 8 * 1024 * 1024;
/** Longest path string accepted by the schema (the path validator applies the real, byte-based rules). */
export const MAX_OFFERED_PATH_CHARS = 4 * 4096;
/** Longest transfer id (the sender uses 32 hex digits). */
export const MAX_TRANSFER_ID_CHARS = 64;
/** Most unconfirmed chunk hashes a receiver reports per file when resuming. */
export const MAX_RESUME_TAIL = 256;

/** Why an offer was refused. BAD_PATH carries the validator's rule in `reason`. */
export const OFFER_DENY_CODES = ['DECLINED', 'BAD_PATH', 'NO_SPACE', 'TOO_LARGE', 'BAD_OFFER', 'BUSY', 'UNSAFE_PATH'] as const;
export type OfferDenyCode = (typeof OFFER_DENY_CODES)[number];

/** Why a transfer ended early (final, either side). */
export const CANCEL_CODES = [
  'CANCELLED',
  'TIMEOUT',
  'SOURCE_CHANGED',
  'VERIFY_FAILED',
  'IO_ERROR',
  'NO_SPACE',
  'UNSAFE_PATH',
  'PROTOCOL',
] as const;
export type CancelCode = (typeof CANCEL_CODES)[number];

/** Why the receiver paused a transfer (it keeps the verified data; the sender retries later). */
export const PAUSE_CODES = ['NO_SPACE', 'IO_ERROR', 'VERIFY_FAILED'] as const;
export type PauseCode = (typeof PAUSE_CODES)[number];

const idSchema = visibleAscii(MAX_TRANSFER_ID_CHARS);
/** Any string up to the cap, even empty: the receiver's path validator judges it and tells the sender why. */
const pathSchema = z.string().max(MAX_OFFERED_PATH_CHARS);
const fileIndexSchema = z.int().min(0).max(MAX_OFFER_ENTRIES - 1);

const offerSchema = z.object({
  id: idSchema,
  files: z.array(z.object({ path: pathSchema, size: z.int().min(0).max(MAX_OFFER_TOTAL_BYTES) })).max(MAX_OFFER_ENTRIES),
  dirs: z.array(pathSchema).max(MAX_OFFER_ENTRIES),
  chunkSize: z.int().min(1).max(2 ** 31),
  totalBytes: z.int().min(0).max(MAX_OFFER_TOTAL_BYTES),
});

/** What the receiver already holds of one file. */
const haveSchema = z.object({
  file: fileIndexSchema,
  /** Chunks 0..chunks-1 are checkpointed (fsynced) on the receiver's disk. */
  chunks: uintSchema,
  /** prefixDigest() of those chunks' SHA-256s. */
  digest: hex32Schema,
  /** SHA-256s of the chunks after them that the receiver re-read from disk but has not checkpointed. */
  tail: z.array(hex32Schema).max(MAX_RESUME_TAIL),
});

const offerAcceptSchema = z.object({
  id: idSchema,
  /** One-time token for BULK_OPEN (32 random bytes). A new one per accept. */
  token: hex32Schema,
  have: z.array(haveSchema).max(MAX_OFFER_ENTRIES),
  /** Files already verified whole (root checked); the sender skips them. */
  done: z.array(fileIndexSchema).max(MAX_OFFER_ENTRIES),
});

const offerDenySchema = z.object({ id: idSchema, code: z.enum(OFFER_DENY_CODES), reason: reasonSchema });
const cancelSchema = z.object({ id: idSchema, code: z.enum(CANCEL_CODES), reason: reasonSchema });
const pauseSchema = z.object({ id: idSchema, code: z.enum(PAUSE_CODES), reason: reasonSchema });
const transferDoneSchema = z.object({
  id: idSchema,
  /** In offer order: where each file was published (relative to the downloads folder) and its root hash. */
  files: z.array(z.object({ path: pathSchema, root: hex32Schema })).max(MAX_OFFER_ENTRIES),
});

export const offerCodec = jsonCodec('OFFER', 0x40, offerSchema, MAX_MANIFEST_FRAME_BYTES);
export const offerAcceptCodec = jsonCodec('OFFER_ACCEPT', 0x41, offerAcceptSchema, MAX_MANIFEST_FRAME_BYTES);
export const offerDenyCodec = jsonCodec('OFFER_DENY', 0x42, offerDenySchema);
export const cancelCodec = jsonCodec('CANCEL', 0x43, cancelSchema);
export const transferDoneCodec = jsonCodec('TRANSFER_DONE', 0x44, transferDoneSchema, MAX_MANIFEST_FRAME_BYTES);
export const transferPauseCodec = jsonCodec('TRANSFER_PAUSE', 0x45, pauseSchema);

// ---- bulk connection (besides the binary CHUNK frame, chunk-frame.ts) ----

/** First frame on a bulk connection, from the sender: which accepted offer this connection carries. */
export const bulkOpenCodec = jsonCodec('BULK_OPEN', 0x50, z.object({ id: idSchema, token: hex32Schema }));
/** After the last CHUNK of a file (or instead of chunks when the receiver holds them all): the file's root hash. */
export const fileEndCodec = jsonCodec('FILE_END', 0x51, z.object({ file: fileIndexSchema, root: hex32Schema }));
/** Receiver → sender: the first `seq` CHUNK frames of this connection are verified and written. */
export const bulkAckCodec = jsonCodec('BULK_ACK', 0x52, z.object({ seq: uintSchema }));

export type Offer = MessageOf<typeof offerCodec>;
export type OfferFile = Offer['files'][number];
export type OfferAccept = MessageOf<typeof offerAcceptCodec>;
export type ResumeHave = OfferAccept['have'][number];
export type OfferDeny = MessageOf<typeof offerDenyCodec>;
export type Cancel = MessageOf<typeof cancelCodec>;
export type TransferDone = MessageOf<typeof transferDoneCodec>;
export type TransferPause = MessageOf<typeof transferPauseCodec>;
export type BulkOpen = MessageOf<typeof bulkOpenCodec>;
export type FileEnd = MessageOf<typeof fileEndCodec>;
export type BulkAck = MessageOf<typeof bulkAckCodec>;

/** Messages that travel on the session connection. */
export const TRANSFER_CONTROL_TYPES = ['OFFER', 'OFFER_ACCEPT', 'OFFER_DENY', 'CANCEL', 'TRANSFER_DONE', 'TRANSFER_PAUSE'] as const;
export type TransferControlMessage = Offer | OfferAccept | OfferDeny | Cancel | TransferDone | TransferPause;
/** JSON messages that travel on a bulk connection. */
export const BULK_MESSAGE_TYPES = ['BULK_OPEN', 'FILE_END', 'BULK_ACK'] as const;
export type BulkMessage = BulkOpen | FileEnd | BulkAck;

export function isTransferControl(msg: { type: string }): msg is TransferControlMessage {
  return (TRANSFER_CONTROL_TYPES as readonly string[]).includes(msg.type);
}

export const transferCodecs = [
  offerCodec,
  offerAcceptCodec,
  offerDenyCodec,
  cancelCodec,
  transferDoneCodec,
  transferPauseCodec,
  bulkOpenCodec,
  fileEndCodec,
  bulkAckCodec,
] as const;
