/**
 * Sender: the chunk hashes of source files, keyed by (path, size, mtime,
 * inode, device, chunk size), so a resume checks the receiver's claims without
 * re-reading the file. Hashes are recorded as chunks stream; files with at
 * least HASH_CACHE_MIN_CHUNKS chunks are also persisted (appended at the
 * receiver's checkpoint cadence, compacted on open), so the cache survives a
 * restart of the sender. A changed file has a new key: its old hashes are
 * simply never looked up again.
 */
import type { RecordLog } from '../record-log.js';
import { chunkCount } from '../../protocol/root-hash.js';
import { SHA256_BYTES } from '../../protocol/chunk-frame.js';
import { HASH_CACHE_MAX_BYTES, HASH_CACHE_MAX_FILES, HASH_CACHE_MIN_CHUNKS } from './constants.js';
import type { SourceStat } from './scan.js';

/** Journal record: hashes of chunks from..from+n-1 of the file with key `k`, hex-concatenated. */
export interface HashCacheRecord {
  readonly k: string;
  readonly from: number;
  readonly h: string;
}

export class CacheEntry {
  /** Chunks 0..known-1 have their hash in `hashes`. */
  known = 0;
  /** Chunks 0..persisted-1 are in the journal. */
  persisted = 0;
  readonly hashes: Buffer;

  constructor(
    readonly key: string,
    readonly chunks: number,
  ) {
    this.hashes = Buffer.alloc(chunks * SHA256_BYTES);
  }

  hashOf(index: number): Buffer | undefined {
    return index < this.known ? this.hashes.subarray(index * SHA256_BYTES, (index + 1) * SHA256_BYTES) : undefined;
  }

  /** Record chunk `index`'s hash; only the next one in order extends `known`. Returns false if it contradicts a known hash. */
  set(index: number, hash: Uint8Array): boolean {
    if (index < this.known) return this.hashOf(index)!.equals(hash);
    if (index > this.known || index >= this.chunks) return true; // out of order: not cached (callers go in order)
    this.hashes.set(hash, index * SHA256_BYTES);
    this.known++;
    return true;
  }

  get complete(): boolean {
    return this.known === this.chunks;
  }
}

export function cacheKey(abs: string, s: SourceStat, chunkSize: number): string {
  return JSON.stringify([abs, s.size, s.mtimeMs, s.ino, s.dev, chunkSize]);
}

export class ChunkHashCache {
  private readonly entries = new Map<string, CacheEntry>();
  private bytes = 0;

  constructor(private readonly log?: RecordLog<HashCacheRecord>) {}

  /** Load the persisted hashes (keeping the newest HASH_CACHE_MAX_FILES files) and compact the journal. */
  async open(): Promise<void> {
    if (!this.log) return;
    const records = await this.log.readAll();
    const byKey = new Map<string, HashCacheRecord[]>();
    for (const r of records) {
      if (typeof r?.k !== 'string' || typeof r.h !== 'string' || !Number.isInteger(r.from)) continue;
      const list = byKey.get(r.k) ?? [];
      byKey.delete(r.k); // re-insert: Map order becomes "most recently written last"
      list.push(r);
      byKey.set(r.k, list);
    }
    const keep = [...byKey].slice(-HASH_CACHE_MAX_FILES);
    const compacted: HashCacheRecord[] = [];
    for (const [k, list] of keep) {
      const [, size, , , , chunkSize] = JSON.parse(k) as [string, number, number, number, number, number];
      const e = this.create(k, chunkCount(size, chunkSize));
      for (const r of list) {
        const hashes = Buffer.from(r.h, 'hex');
        if (r.from !== e.known) continue; // a gap: ignore the rest
        for (let i = 0; i * SHA256_BYTES < hashes.length; i++) e.set(r.from + i, hashes.subarray(i * SHA256_BYTES, (i + 1) * SHA256_BYTES));
      }
      e.persisted = e.known;
      if (e.known > 0) compacted.push({ k, from: 0, h: e.hashes.subarray(0, e.known * SHA256_BYTES).toString('hex') });
    }
    if (compacted.length !== records.length) await this.log.rewrite(compacted);
  }

  /** The entry for this file version, created empty if unknown. */
  entry(abs: string, s: SourceStat, chunkSize: number): CacheEntry {
    const key = cacheKey(abs, s, chunkSize);
    const e = this.entries.get(key);
    if (e) {
      this.entries.delete(key); // LRU: most recently used last
      this.entries.set(key, e);
      return e;
    }
    return this.create(key, chunkCount(s.size, chunkSize));
  }

  /** Forget a file version (it turned out to have changed without its stat changing). */
  drop(e: CacheEntry): void {
    if (this.entries.get(e.key) === e) {
      this.entries.delete(e.key);
      this.bytes -= e.hashes.length;
    }
  }

  /** Append what `e` learned since the last flush to the journal (no-op for small files). */
  async flush(e: CacheEntry): Promise<void> {
    if (!this.log || e.chunks < HASH_CACHE_MIN_CHUNKS || e.known <= e.persisted) return;
    const from = e.persisted;
    const to = e.known;
    e.persisted = to;
    await this.log.append({ k: e.key, from, h: e.hashes.subarray(from * SHA256_BYTES, to * SHA256_BYTES).toString('hex') });
  }

  private create(key: string, chunks: number): CacheEntry {
    const e = new CacheEntry(key, chunks);
    this.entries.set(key, e);
    this.bytes += e.hashes.length;
    for (const [k, old] of this.entries) {
      if (this.bytes <= HASH_CACHE_MAX_BYTES || old === e) break;
      this.entries.delete(k);
      this.bytes -= old.hashes.length;
    }
    return e;
  }
}
