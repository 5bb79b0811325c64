/**
 * A file's identity: its root hash, built from the SHA-256 of each chunk, so
 * the data is read once (chunk hashes are computed while streaming) and the
 * same root names the file in a transfer, in `peerdeck hash`, and later in a
 * swarm manifest.
 *
 *   root = SHA-256( "peerdeck-root-v1" 0x00 ‖ u64 BE size ‖ u32 BE chunkSize ‖ h₀ ‖ h₁ ‖ … ‖ hₙ₋₁ )
 *   hᵢ   = SHA-256( bytes [i·chunkSize, min((i+1)·chunkSize, size)) )
 *   n    = ⌈size / chunkSize⌉   (an empty file has no chunks: its root hashes the tag, 0 and chunkSize)
 *
 * Size and chunk size are inside the hash, so one byte list cannot get two
 * roots that look alike, and the tag keeps these roots apart from any other
 * SHA-256 in the protocol.
 *
 * prefixDigest names a run of chunk hashes (resume: "I hold chunks 0..k-1"),
 * with its own tag so it can never pass for a root.
 */
import { createHash, type Hash } from 'node:crypto';
import { SHA256_BYTES } from './chunk-frame.js';

const ROOT_TAG = Buffer.from('peerdeck-root-v1\0', 'latin1');
const PREFIX_TAG = Buffer.from('peerdeck-prefix-v1\0', 'latin1');

/** Number of chunks of a file of `size` bytes. */
export function chunkCount(size: number, chunkSize: number): number {
  return Math.ceil(size / chunkSize);
}

/** Length of chunk `index` (the last one may be short). */
export function chunkLength(size: number, chunkSize: number, index: number): number {
  return Math.min(chunkSize, size - index * chunkSize);
}

/** Incremental root: feed the chunk hashes in order, then `digest()`. */
export class RootHasher {
  private readonly hash: Hash;
  private fed = 0;
  private readonly expected: number;

  constructor(
    readonly size: number,
    readonly chunkSize: number,
  ) {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`file size must be a safe non-negative integer, got ${size}`);
    if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 0xffff_ffff) throw new RangeError(`bad chunk size ${chunkSize}`);
    this.expected = chunkCount(size, chunkSize);
    const head = Buffer.alloc(ROOT_TAG.length + 12);
    ROOT_TAG.copy(head, 0);
    head.writeBigUInt64BE(BigInt(size), ROOT_TAG.length);
    head.writeUInt32BE(chunkSize, ROOT_TAG.length + 8);
    this.hash = createHash('sha256').update(head);
  }

  /** Add the next chunk hash (or several, concatenated). */
  update(hashes: Uint8Array): this {
    if (hashes.length % SHA256_BYTES !== 0) throw new RangeError('chunk hashes come in 32-byte units');
    this.fed += hashes.length / SHA256_BYTES;
    if (this.fed > this.expected) throw new RangeError(`more chunk hashes than the ${this.expected} chunks of the file`);
    this.hash.update(hashes);
    return this;
  }

  digest(): Buffer {
    if (this.fed !== this.expected) throw new RangeError(`root needs ${this.expected} chunk hashes, got ${this.fed}`);
    return this.hash.digest();
  }
}

/** The root of a file, from all its chunk hashes in order (an iterable of 32-byte hashes or one concatenation). */
export function rootHash(size: number, chunkSize: number, hashes: Iterable<Uint8Array> | Uint8Array): Buffer {
  const h = new RootHasher(size, chunkSize);
  if (hashes instanceof Uint8Array) h.update(hashes);
  else for (const one of hashes) h.update(one);
  return h.digest();
}

/** Digest of chunk hashes 0..k-1 (concatenated), for resume claims. */
export function prefixDigest(concatenatedHashes: Uint8Array): Buffer {
  if (concatenatedHashes.length % SHA256_BYTES !== 0) throw new RangeError('chunk hashes come in 32-byte units');
  return createHash('sha256').update(PREFIX_TAG).update(concatenatedHashes).digest();
}
