/**
 * Sender, on OFFER_ACCEPT: where each file starts. A file the receiver reports
 * done is skipped; for the rest, the receiver's claim (a digest of its
 * checkpointed chunk hashes plus the hashes of its re-read tail) is checked
 * against this version of the file's own hashes, from the hash cache or, where
 * the cache lacks them, by reading and hashing (reading, not sending). The
 * file starts after the longest prefix that matches; a claim that does not
 * match at all (the source changed) starts it at 0.
 */
import { constants as fsc } from 'node:fs';
import { SHA256_BYTES } from '../../protocol/chunk-frame.js';
import type { OfferAccept, ResumeHave } from '../../protocol/messages/transfer.js';
import { chunkCount, chunkLength, prefixDigest } from '../../protocol/root-hash.js';
import { EngineError } from '../errors.js';
import type { SendFile } from './bulk-sender.js';
import type { TransferContext } from './context.js';
import type { CacheEntry } from './hash-cache.js';
import type { OutgoingFileRecord } from './records.js';
import { sameStat, statOf } from './scan.js';
import { SlotPool, type Slot } from './slot-pool.js';

type PlanDeps = Pick<TransferContext, 'fs' | 'hashPool' | 'cache'>;

export async function planSend(files: readonly OutgoingFileRecord[], chunkSize: number, accept: OfferAccept, deps: PlanDeps): Promise<{ files: SendFile[]; bytesHeld: number }> {
  const done = new Set(accept.done);
  const have = new Map<number, ResumeHave>(accept.have.map((h) => [h.file, h]));
  const scratch = new SlotPool(1, chunkSize);
  const slot = scratch.tryAcquire()!;
  const plan: SendFile[] = [];
  let bytesHeld = 0;
  try {
    for (let i = 0; i < files.length; i++) {
      const f = files[i]!;
      if (done.has(i)) {
        bytesHeld += f.size;
        continue;
      }
      const cache = deps.cache.entry(f.abs, f, chunkSize);
      const claim = have.get(i);
      const from = claim ? await matchClaim(f, chunkSize, cache, claim, slot, deps) : 0;
      bytesHeld += Math.min(from * chunkSize, f.size);
      plan.push({ index: i, abs: f.abs, rel: f.rel, stat: f, from, cache });
    }
  } finally {
    deps.hashPool.detach(scratch.sab);
  }
  return { files: plan, bytesHeld };
}

/** The longest prefix of the receiver's claim that matches this version of the file. */
async function matchClaim(f: OutgoingFileRecord, chunkSize: number, cache: CacheEntry, claim: ResumeHave, slot: Slot, deps: PlanDeps): Promise<number> {
  const need = claim.chunks + claim.tail.length;
  if (need > chunkCount(f.size, chunkSize)) return 0;
  await fillCache(f, chunkSize, cache, need, slot, deps);
  if (prefixDigest(cache.hashes.subarray(0, claim.chunks * SHA256_BYTES)).toString('hex') !== claim.digest) return 0;
  let m = claim.chunks;
  for (const t of claim.tail) {
    if (cache.hashOf(m)!.toString('hex') !== t) break;
    m++;
  }
  return m;
}

/** Hash the chunks the cache lacks, up to `need` (after a restart of the sender, or for a changed file). */
async function fillCache(f: OutgoingFileRecord, chunkSize: number, cache: CacheEntry, need: number, slot: Slot, deps: PlanDeps): Promise<void> {
  if (cache.known >= need) return;
  const fd = await deps.fs.open(f.abs, fsc.O_RDONLY | fsc.O_NOFOLLOW | fsc.O_NONBLOCK);
  try {
    if (!sameStat(statOf(await deps.fs.fstat(fd)), f)) throw new EngineError('ERR_SOURCE_CHANGED', `${f.rel} changed while it was being checked`, 'retryable');
    while (cache.known < need) {
      const k = cache.known;
      const len = chunkLength(f.size, chunkSize, k);
      if ((await deps.fs.read(fd, slot.data, 0, len, k * chunkSize)) !== len) throw new EngineError('ERR_SOURCE_CHANGED', `${f.rel} got shorter`, 'retryable');
      cache.set(k, await deps.hashPool.hash(slot.data.subarray(0, len)));
    }
  } finally {
    await deps.fs.close(fd);
  }
  void deps.cache.flush(cache).catch(() => undefined);
}
