/**
 * Sender: does an offer fit, before anything is sent? It must encode as one
 * message and its file list must stay under MAX_OFFER_MANIFEST_BYTES (the cap
 * the receiver holds it to). Throws EngineError ERR_OFFER_TOO_LARGE otherwise.
 */
import { isProtocolError } from '../../protocol/errors.js';
import { encodeMessage } from '../../protocol/messages/index.js';
import { EngineError } from '../errors.js';
import { MAX_OFFER_MANIFEST_BYTES } from './constants.js';
import { manifestBytes } from './offer-check.js';
import type { ScanResult } from './scan.js';

export function assertOfferFits(id: string, scan: ScanResult, chunkSize: number): void {
  try {
    encodeMessage({ type: 'OFFER', id, files: scan.files.map((f) => ({ path: f.rel, size: f.size })), dirs: scan.dirs, chunkSize, totalBytes: scan.totalBytes });
  } catch (err) {
    if (isProtocolError(err)) throw new EngineError('ERR_OFFER_TOO_LARGE', `the list of files is too long to offer at once: ${err.message}`, 'usage', { cause: err });
    throw err;
  }
  const weight = manifestBytes({ files: scan.files.map((f) => ({ path: f.rel, size: f.size })), dirs: scan.dirs });
  if (weight > MAX_OFFER_MANIFEST_BYTES) {
    throw new EngineError('ERR_OFFER_TOO_LARGE', `the list of files is ${weight} bytes, over the ${MAX_OFFER_MANIFEST_BYTES}-byte cap per offer: send it in parts`, 'usage');
  }
}
