/**
 * Receiver: is an OFFER acceptable at all, before anyone is asked? Returns the
 * offer with NFC paths, or the OFFER_DENY to send (with the path rule broken,
 * so the sender sees why: reliability.md N1–N13).
 */
import { isValidChunkSize } from '../../protocol/chunk-frame.js';
import { MAX_OFFER_ENTRIES, type Offer, type OfferDeny } from '../../protocol/messages/transfer.js';
import { MAX_REASON_CHARS } from '../../protocol/messages/codec.js';
import { BadPathError, validatePathSet } from '../../protocol/path-validator.js';
import { MAX_OFFER_MANIFEST_BYTES } from './constants.js';

/** Transfer ids name the partial folder: keep them to a portable file name. */
const TRANSFER_ID = /^[0-9a-zA-Z_-]{1,64}$/;

export type OfferVerdict = { readonly ok: true; readonly offer: Offer; readonly manifestBytes: number } | { readonly ok: false; readonly deny: OfferDeny };

/** What an offer's file list weighs (see MAX_OFFER_MANIFEST_BYTES). */
export function manifestBytes(offer: Pick<Offer, 'files' | 'dirs'>): number {
  let n = 0;
  for (const f of offer.files) n += Buffer.byteLength(f.path, 'utf8') + 32;
  for (const d of offer.dirs) n += Buffer.byteLength(d, 'utf8') + 8;
  return n;
}

const clip = (s: string): string => (s.length > MAX_REASON_CHARS ? `${s.slice(0, MAX_REASON_CHARS - 1)}…` : s);

export function checkOffer(offer: Offer): OfferVerdict {
  const deny = (code: OfferDeny['code'], reason: string): OfferVerdict => ({ ok: false, deny: { type: 'OFFER_DENY', id: offer.id, code, reason: clip(reason) } });
  if (!TRANSFER_ID.test(offer.id)) return deny('BAD_OFFER', 'transfer id must be 1-64 letters, digits, - or _');
  if (!isValidChunkSize(offer.chunkSize)) return deny('BAD_OFFER', `unsupported chunk size ${offer.chunkSize}`);
  if (offer.files.length + offer.dirs.length > MAX_OFFER_ENTRIES) return deny('TOO_LARGE', `more than ${MAX_OFFER_ENTRIES} files and folders`);
  const weight = manifestBytes(offer);
  if (weight > MAX_OFFER_MANIFEST_BYTES) {
    return deny('BAD_OFFER', `the file list is ${weight} bytes, over the ${MAX_OFFER_MANIFEST_BYTES}-byte cap per offer: send it in parts`);
  }
  const total = offer.files.reduce((sum, f) => sum + f.size, 0);
  if (total !== offer.totalBytes) return deny('BAD_OFFER', `sizes add up to ${total}, not ${offer.totalBytes}`);
  try {
    const set = validatePathSet(
      offer.files.map((f) => f.path),
      offer.dirs,
    );
    return {
      ok: true,
      offer: { ...offer, files: offer.files.map((f, i) => ({ path: set.files[i]!, size: f.size })), dirs: set.dirs },
      manifestBytes: weight,
    };
  } catch (err) {
    if (err instanceof BadPathError) return deny('BAD_PATH', err.message);
    throw err;
  }
}
