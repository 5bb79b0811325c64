/**
 * Sender: streams the files of one accepted offer over its bulk connection.
 *
 * A producer reads chunks into reusable slots (up to WINDOW_CHUNKS ahead) and
 * hashes them in the worker; a consumer writes the finished frames in order,
 * each built in place in its slot (no allocation, no copy). A slot comes back
 * when the receiver acknowledges its chunk (BULK_ACK: verified and written),
 * so the window bounds both memory and what a resume can send twice.
 *
 * A source that changes while it is read is caught three ways: its stat when
 * opened differs from the offer, its size or mtime changed by the time its last
 * chunk was read (or a read comes up short), or a chunk hashes differently
 * from the cached hash of the same file version. Each ends the connection with
 * ERR_SOURCE_CHANGED; the transfer re-offers and starts that file over.
 */
import { constants as fsc } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { writeChunkFrameHeaders } from '../../protocol/chunk-frame.js';
import { createMessageDecoder, decodeMessage, encodeMessage } from '../../protocol/messages/index.js';
import { chunkCount, chunkLength, rootHash } from '../../protocol/root-hash.js';
import { EngineError } from '../errors.js';
import type { PeerSocket } from '../tls/peer-socket.js';
import type { TransferFs } from './fs-ops.js';
import type { HashPool } from './hash-pool.js';
import type { CacheEntry, ChunkHashCache } from './hash-cache.js';
import { sameStat, statOf, type SourceStat } from './scan.js';
import { SlotPool, type Slot } from './slot-pool.js';

/** Cache flush cadence while streaming a big file (chunks). */
const CACHE_FLUSH_CHUNKS = 32;
/** Files opened and checked ahead of the one being read: many small files do not wait on one open at a time. */
const OPEN_AHEAD = 8;

export interface SendFile {
  readonly index: number;
  readonly abs: string;
  readonly rel: string;
  /** The version offered. */
  readonly stat: SourceStat;
  /** First chunk to send (the receiver verifiably holds the ones before). */
  readonly from: number;
  /** Hashes of this version; chunks before `from` are known. */
  readonly cache: CacheEntry;
}

export interface BulkSendDeps {
  readonly fs: TransferFs;
  readonly hashPool: HashPool;
  readonly cache: ChunkHashCache;
}

type Prepared =
  | { readonly kind: 'chunk'; readonly f: SendFile; readonly chunk: number; readonly slot: Slot; readonly length: number; readonly hash: Buffer }
  | { readonly kind: 'end'; readonly f: SendFile };

const changed = (f: SendFile, what: string): EngineError =>
  new EngineError('ERR_SOURCE_CHANGED', `${f.rel} changed while it was being sent (${what})`, 'retryable');

export class BulkSender {
  private readonly slots: SlotPool;
  private readonly jobs: Array<Promise<Prepared>> = [];
  private wake: (() => void) | undefined;
  private producing = true;
  private sent = 0;
  private acked = 0;
  private readonly inFlight: Array<{ slot: Slot; length: number }> = [];
  private error: EngineError | undefined;
  private settle: { resolve(): void; reject(e: EngineError): void } | undefined;
  private consumerIdle = false;
  /** The last frame written, until it is handed to the OS. */
  private flushing: Promise<void> = Promise.resolve();
  /** Root hash of each file sent, by offer index. */
  readonly roots = new Map<number, Buffer>();

  constructor(
    private readonly socket: PeerSocket,
    private readonly opts: { readonly id: string; readonly token: string; readonly chunkSize: number; readonly files: readonly SendFile[]; readonly windowChunks: number },
    private readonly deps: BulkSendDeps,
    private readonly onAcked: (bytes: number) => void,
  ) {
    this.slots = new SlotPool(opts.windowChunks, opts.chunkSize);
  }

  get bytesOnWire(): number {
    return this.socket.bytesWritten;
  }

  /** Stream everything; resolves once every chunk is acknowledged and every FILE_END written. */
  run(): Promise<void> {
    const done = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    const decoder = createMessageDecoder();
    this.socket.on('data', (buf) => {
      try {
        for (const frame of decoder.push(buf)) {
          const msg = decodeMessage(frame);
          if (msg.type !== 'BULK_ACK') throw new EngineError('ERR_TRANSFER_PROTOCOL', `${msg.type} on the bulk connection`, 'peer-fault');
          this.ack(msg.seq);
        }
      } catch (err) {
        this.abort(err instanceof EngineError ? err : new EngineError('ERR_TRANSFER_PROTOCOL', String((err as Error).message), 'peer-fault'));
      }
    });
    this.socket.on('close', (reason) => this.abort(reason ?? new EngineError('ERR_CONNECTION_CLOSED', 'bulk connection closed', 'retryable')));
    this.socket.write(encodeMessage({ type: 'BULK_OPEN', id: this.opts.id, token: this.opts.token }));
    void this.produce().catch((err: unknown) => this.abort(asError(err)));
    void this.consume().catch((err: unknown) => this.abort(asError(err)));
    return done.finally(() => this.deps.hashPool.detach(this.slots.sab));
  }

  /** Stop: close the connection with `reason`; run() rejects with it. */
  abort(reason: EngineError): void {
    if (this.error || !this.settle) return;
    this.error = reason;
    this.producing = false;
    this.slots.close();
    this.wake?.();
    this.socket.close(reason);
    this.settle.reject(reason);
  }

  private ack(seq: number): void {
    if (!Number.isInteger(seq) || seq < this.acked || seq > this.sent) {
      throw new EngineError('ERR_TRANSFER_PROTOCOL', `BULK_ACK ${seq} outside ${this.acked}..${this.sent}`, 'peer-fault');
    }
    while (this.acked < seq) {
      const e = this.inFlight.shift()!;
      this.acked++;
      this.slots.release(e.slot);
      this.onAcked(e.length);
    }
    this.checkDone();
  }

  private checkDone(): void {
    if (!this.error && !this.producing && this.jobs.length === 0 && this.acked === this.sent && this.consumerIdle) this.settle?.resolve();
  }

  private push(job: Promise<Prepared>): void {
    job.catch(() => undefined); // handled by the consumer; never an unhandled rejection
    this.jobs.push(job);
    this.wake?.();
  }

  private async produce(): Promise<void> {
    const files = this.opts.files;
    const ahead: Array<Promise<number | undefined>> = [];
    let next = 0;
    try {
      for (const f of files) {
        while (ahead.length < OPEN_AHEAD && next < files.length) {
          const opening = this.openChecked(files[next++]!);
          opening.catch(() => undefined); // surfaces when its turn comes
          ahead.push(opening);
        }
        const fd = await ahead.shift()!;
        if (fd === undefined) {
          this.push(Promise.resolve({ kind: 'end', f }));
          continue;
        }
        if (this.error) {
          await this.deps.fs.close(fd);
          return;
        }
        await this.readFile(f, fd);
      }
    } finally {
      for (const opening of ahead.splice(0)) {
        const fd = await opening.catch(() => undefined);
        if (fd !== undefined) await this.deps.fs.close(fd).catch(() => undefined);
      }
    }
    this.producing = false;
    this.wake?.();
  }

  /** Open a file to send and check it is the version offered; undefined if nothing of it needs reading. */
  private async openChecked(f: SendFile): Promise<number | undefined> {
    if (f.from >= chunkCount(f.stat.size, this.opts.chunkSize)) {
      if (f.stat.size === 0) await this.checkUnchanged(f, statOf(await lstat(f.abs)));
      return undefined;
    }
    const fd = await this.deps.fs.open(f.abs, fsc.O_RDONLY | fsc.O_NOFOLLOW | fsc.O_NONBLOCK);
    try {
      await this.checkUnchanged(f, statOf(await this.deps.fs.fstat(fd)));
    } catch (err) {
      await this.deps.fs.close(fd).catch(() => undefined);
      throw err;
    }
    return fd;
  }

  /** Queue the reads of one open file (as the window allows), then its FILE_END, which also closes it. */
  private async readFile(f: SendFile, fd: number): Promise<void> {
    const count = chunkCount(f.stat.size, this.opts.chunkSize);
    const reads: Array<Promise<Prepared>> = [];
    try {
      for (let k = f.from; k < count && !this.error; k++) {
        const slot = await this.slots.acquire();
        if (!slot) break; // aborted while waiting for the window
        const job = this.readChunk(fd, f, k, slot);
        reads.push(job);
        this.push(job);
      }
    } finally {
      // The file's end is known once all its reads are in: close, re-check, then FILE_END.
      const end = Promise.allSettled(reads).then(async () => {
        const after = statOf(await this.deps.fs.fstat(fd));
        await this.deps.fs.close(fd);
        if (after.size !== f.stat.size || after.mtimeMs !== f.stat.mtimeMs) throw changed(f, 'modified during the read');
        return { kind: 'end', f } as const;
      });
      this.push(end);
    }
  }

  private async checkUnchanged(f: SendFile, now: SourceStat): Promise<void> {
    if (!sameStat(now, f.stat)) throw changed(f, `size ${f.stat.size} → ${now.size}, or its time or inode changed`);
  }

  private async readChunk(fd: number, f: SendFile, k: number, slot: Slot): Promise<Prepared> {
    const length = chunkLength(f.stat.size, this.opts.chunkSize, k);
    try {
      const n = await this.deps.fs.read(fd, slot.data, 0, length, k * this.opts.chunkSize);
      if (n !== length) throw changed(f, 'it got shorter');
      const hash = await this.deps.hashPool.hash(slot.data.subarray(0, length));
      return { kind: 'chunk', f, chunk: k, slot, length, hash };
    } catch (err) {
      this.slots.release(slot);
      throw err;
    }
  }

  private async consume(): Promise<void> {
    for (;;) {
      if (this.error) return;
      const job = this.jobs[0];
      if (!job) {
        if (!this.producing) break;
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      const p = await job;
      this.jobs.shift();
      // One frame at a time into the socket: frames queued behind a pending write are
      // flushed as one writev, which Node's TLS copies into a single buffer first.
      await this.flushing;
      if (this.error) return;
      if (p.kind === 'chunk') this.writeChunk(p);
      else this.writeEnd(p.f);
    }
    this.consumerIdle = true;
    this.checkDone();
  }

  private writeChunk(p: Extract<Prepared, { kind: 'chunk' }>): void {
    if (!p.f.cache.set(p.chunk, p.hash)) {
      this.deps.cache.drop(p.f.cache);
      throw changed(p.f, `chunk ${p.chunk} differs from an earlier read`);
    }
    const frameLength = writeChunkFrameHeaders(p.slot.frame, 0, p.f.index, p.chunk, p.hash, p.length);
    this.inFlight.push({ slot: p.slot, length: p.length });
    this.sent++;
    this.flushing = new Promise((resolve) => this.socket.write(p.slot.frame.subarray(0, frameLength), resolve));
    if ((p.chunk + 1) % CACHE_FLUSH_CHUNKS === 0) void this.deps.cache.flush(p.f.cache).catch(() => undefined);
  }

  private writeEnd(f: SendFile): void {
    const root = rootHash(f.stat.size, this.opts.chunkSize, f.cache.hashes.subarray(0, f.cache.known * 32));
    this.roots.set(f.index, root);
    this.socket.write(encodeMessage({ type: 'FILE_END', file: f.index, root: root.toString('hex') }));
    void this.deps.cache.flush(f.cache).catch(() => undefined);
  }
}

function asError(err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  const code = (err as { code?: string }).code;
  if (code === 'ENOENT') return new EngineError('ERR_SOURCE_CHANGED', 'a file to send was removed', 'retryable', { cause: err });
  return new EngineError('ERR_IO', `cannot read a file to send: ${code ?? String(err)}`, 'local', { cause: err });
}
