/**
 * Receiver: one bulk connection of an accepted transfer. A chunk's data is
 * copied from the socket's reads straight into a free slot of the connection's
 * shared arena, placed so that it has the same alignment as the reads (V8
 * copies into shared memory word by word only then; TLS records are 16 KiB,
 * so one choice per chunk holds for all its pieces when the sender writes one
 * frame at a time; otherwise the copy is slower, never wrong). The worker
 * hashes it there in place, then it is written at its offset in the file's
 * `.part` from the same memory; a chunk counts once it is written and the
 * hash matches its frame. Completions are applied in arrival order, so
 * "verified" is always a prefix per file, and acknowledged with one BULK_ACK
 * per batch. Verified hashes are checkpointed every CHECKPOINT_BYTES or
 * CHECKPOINT_MS, never per chunk. When all slots are busy the socket is paused
 * (backpressure reaches the sender through TCP), so memory stays at the slots.
 */
import { encodeMessage, type BulkMessage } from '../../protocol/messages/index.js';
import { chunkCount, chunkLength } from '../../protocol/root-hash.js';
import { ProtocolError } from '../../protocol/errors.js';
import type { Clock } from '../clock.js';
import { EngineError } from '../errors.js';
import type { PeerSocket } from '../tls/peer-socket.js';
import { BulkReader } from './bulk-reader.js';
import { CHECKPOINT_BYTES, CHECKPOINT_MS } from './constants.js';
import { errnoCode, type TransferFs } from './fs-ops.js';
import type { HashPool } from './hash-pool.js';
import type { PartFile, PartialDir } from './partial.js';
import { SlotPool, type Slot } from './slot-pool.js';

/** What a bulk connection needs from its incoming transfer. */
export interface ReceiveTarget {
  readonly chunkSize: number;
  readonly sizes: readonly number[];
  readonly partial: PartialDir;
  /** File already verified whole (in an earlier connection). */
  isFileDone(i: number): boolean;
  /** Every chunk of file `i` is verified and written; `root` is what the sender says it should hash to. */
  fileEnded(i: number, root: Buffer): void;
}

interface ChunkEntry {
  readonly kind: 'chunk';
  readonly f: PartFile;
  readonly chunk: number;
  readonly hash: Buffer;
  readonly slot: Slot;
  /** The chunk's data, where it sits in the slot. */
  readonly data: Buffer;
  settled: boolean;
  error: EngineError | undefined;
}
type Entry = ChunkEntry | { readonly kind: 'end'; readonly file: number; readonly root: Buffer; settled: true };

export interface BulkReceiverDeps {
  readonly fs: TransferFs;
  readonly hashPool: HashPool;
  /** Chunks in flight (slots in this connection's arena). */
  readonly windowChunks: number;
  readonly clock: Clock;
}

export class BulkReceiver {
  private readonly reader: BulkReader;
  private readonly order: Entry[] = [];
  private current: ChunkEntry | undefined;
  private readonly slots: SlotPool;
  /**
   * The last chunk write issued, and its file: writes to one file go one at a time (files only
   * move forward on a connection, so only the latest file's chain matters). Buffered writes to
   * a file serialise on its inode lock in the kernel anyway; issued together, the thread pool's
   * threads spin on that lock (measured ~0.3 CPU-s per GiB on 2 cores).
   */
  private writeTail: { readonly f: PartFile; readonly done: Promise<void> } | undefined;
  /** Next chunk expected per file on this connection; files only move forward. */
  private readonly next = new Map<number, number>();
  private lastFile = -1;
  private framesIn = 0;
  private acked = 0;
  private verifiedBytes = 0;
  private sinceCheckpoint = 0;
  private lastCheckpointAt: number;
  private checkpointing: Promise<void> | undefined;
  private inFlight = new Set<Promise<void>>();
  private failed = false;
  private readonly offFree: () => void;
  /** Resolves when the connection is over and everything it started has settled. */
  readonly finished: Promise<EngineError | undefined>;

  constructor(
    private readonly socket: PeerSocket,
    private readonly target: ReceiveTarget,
    private readonly deps: BulkReceiverDeps,
    private readonly onVerified: (bytes: number) => void,
    /** Bytes that arrived with BULK_OPEN; the socket is paused until they are taken. */
    initial: Buffer = Buffer.alloc(0),
  ) {
    this.lastCheckpointAt = deps.clock.now();
    this.slots = new SlotPool(deps.windowChunks, target.chunkSize);
    this.reader = new BulkReader(
      {
        chunkStart: (file, chunk, hash, length, align) => this.chunkStart(file, chunk, hash, length, align),
        chunkEnd: () => this.chunkEnd(),
        message: (msg) => this.message(msg),
      },
      target.chunkSize,
    );
    this.offFree = this.slots.onFree(() => this.unstall());
    this.finished = new Promise((resolve) => {
      if (socket.closed) return void this.wind(new EngineError('ERR_CONNECTION_CLOSED', 'bulk connection closed', 'retryable')).then(resolve);
      socket.on('close', (reason) => void this.wind(reason).then(resolve));
    });
    socket.on('data', (buf) => this.guard(() => (this.reader.push(buf) ? undefined : socket.pause())));
    this.guard(() => {
      if (this.reader.push(initial)) socket.resume();
    });
  }

  get bytesVerified(): number {
    return this.verifiedBytes;
  }

  /** Close the connection with `reason` (a fault found here or by the transfer). */
  fail(reason: EngineError): void {
    if (this.failed) return;
    this.failed = true;
    this.socket.close(reason);
  }

  private guard(fn: () => void): void {
    if (this.failed) return;
    try {
      fn();
    } catch (err) {
      this.fail(toEngineError(err));
    }
  }

  private unstall(): void {
    if (!this.reader.isStalled) return;
    this.guard(() => {
      if (this.reader.resume()) this.socket.resume();
    });
  }

  private chunkStart(file: number, chunk: number, hash: Buffer, length: number, sourceAlign: number): Buffer | undefined {
    const slot = this.slots.tryAcquire();
    if (!slot) return undefined;
    try {
      const f = this.checkChunk(file, chunk, length);
      // The slot's frame area has room for the headers; the receiver uses up to 7 of those bytes to align.
      const at = (sourceAlign - slot.frame.byteOffset) & 7;
      const data = slot.frame.subarray(at, at + length);
      this.current = { kind: 'chunk', f, chunk, hash, slot, data, settled: false, error: undefined };
      return data;
    } catch (err) {
      this.slots.release(slot);
      throw err;
    }
  }

  private checkChunk(file: number, chunk: number, length: number): PartFile {
    const size = this.target.sizes[file];
    if (size === undefined || this.target.isFileDone(file) || file < this.lastFile) throw protocol(`chunk for file ${file} out of place`);
    const f = this.target.partial.file(file, size);
    const expected = this.next.get(file);
    if (expected === undefined) {
      if (chunk >= chunkCount(size, this.target.chunkSize) || !this.target.partial.begin(f, chunk)) throw protocol(`file ${file} cannot start at chunk ${chunk}`);
    } else if (chunk !== expected) {
      throw protocol(`file ${file}: chunk ${chunk} where ${expected} was due`);
    }
    if (length !== chunkLength(size, this.target.chunkSize, chunk)) throw protocol(`file ${file} chunk ${chunk} has ${length} bytes`);
    this.lastFile = file;
    this.next.set(file, chunk + 1);
    return f;
  }

  private chunkEnd(): void {
    const e = this.current!;
    this.current = undefined;
    this.framesIn++;
    this.order.push(e);
    // Hash first, then write from the slot: nothing unverified reaches the file.
    const previous = this.writeTail?.f === e.f ? this.writeTail.done : undefined;
    const work = this.deps.hashPool.hash(e.data).then(
      async (digest) => {
        if (!digest.equals(e.hash)) {
          e.error = new EngineError('ERR_VERIFICATION_FAILED', `file ${e.f.index} chunk ${e.chunk}: SHA-256 does not match`, 'peer-fault');
          return;
        }
        const fd = await this.target.partial.fdOf(e.f);
        await previous;
        await this.deps.fs.write(fd, e.data, 0, e.data.length, e.chunk * this.target.chunkSize);
      },
    ).catch((err: unknown) => {
      e.error = diskError(err);
    });
    this.writeTail = { f: e.f, done: work };
    this.track(work.then(() => {
      e.settled = true;
      this.slots.release(e.slot);
      this.drain();
    }));
  }

  private message(msg: BulkMessage): void {
    if (msg.type !== 'FILE_END') throw protocol(`${msg.type} from the sender`);
    const size = this.target.sizes[msg.file];
    if (size === undefined || this.target.isFileDone(msg.file) || msg.file < this.lastFile) throw protocol(`FILE_END for file ${msg.file} out of place`);
    const f = this.target.partial.file(msg.file, size);
    const count = chunkCount(size, this.target.chunkSize);
    const next = this.next.get(msg.file);
    if (next === undefined) {
      this.target.partial.confirmAll(f);
      if (f.verified !== count) throw protocol(`FILE_END for file ${msg.file} before its chunks`);
    } else if (next !== count) {
      throw protocol(`FILE_END for file ${msg.file} after ${next} of ${count} chunks`);
    }
    this.lastFile = msg.file;
    this.next.set(msg.file, count);
    this.order.push({ kind: 'end', file: msg.file, root: Buffer.from(msg.root, 'hex'), settled: true });
    this.drain();
  }

  /** Apply settled entries in arrival order; acknowledge; checkpoint when due. */
  private drain(): void {
    if (this.failed) return;
    let progressed = false;
    while (this.order.length > 0 && this.order[0]!.settled) {
      const e = this.order.shift()!;
      if (e.kind === 'end') {
        this.target.fileEnded(e.file, e.root);
        continue;
      }
      if (e.error) return this.fail(e.error);
      this.target.partial.markVerified(e.f, e.hash);
      this.acked++;
      this.verifiedBytes += e.data.length;
      this.sinceCheckpoint += e.data.length;
      this.onVerified(e.data.length);
      progressed = true;
    }
    if (progressed) this.socket.write(encodeMessage({ type: 'BULK_ACK', seq: this.acked }));
    this.maybeCheckpoint();
  }

  private maybeCheckpoint(): void {
    if (this.checkpointing || this.sinceCheckpoint === 0) return;
    const due = this.sinceCheckpoint >= CHECKPOINT_BYTES || this.deps.clock.now() - this.lastCheckpointAt >= CHECKPOINT_MS;
    if (!due) return;
    this.sinceCheckpoint = 0;
    this.lastCheckpointAt = this.deps.clock.now();
    this.checkpointing = this.target.partial.checkpoint().then(
      () => {
        this.checkpointing = undefined;
      },
      (err: unknown) => {
        this.checkpointing = undefined;
        this.fail(diskError(err));
      },
    );
    this.track(this.checkpointing);
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** The socket closed: let writes and hashes settle, checkpoint, close files. */
  private async wind(reason: EngineError | undefined): Promise<EngineError | undefined> {
    this.failed = true;
    this.offFree();
    if (this.current) this.slots.release(this.current.slot);
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    // Apply what did settle cleanly, in order, so the checkpoint keeps it and finished files finish.
    for (const e of this.order.splice(0)) {
      if (e.kind === 'end') {
        this.target.fileEnded(e.file, e.root);
        continue;
      }
      if (e.error) break;
      this.target.partial.markVerified(e.f, e.hash);
    }
    await this.target.partial.closeAll();
    this.deps.hashPool.detach(this.slots.sab);
    return reason;
  }
}

function protocol(message: string): EngineError {
  return new EngineError('ERR_TRANSFER_PROTOCOL', message, 'peer-fault');
}

export function diskError(err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  const code = errnoCode(err);
  if (code === 'ENOSPC' || code === 'EDQUOT') return new EngineError('ERR_NO_SPACE', 'the downloads folder is full', 'retryable', { cause: err });
  return new EngineError('ERR_IO', `cannot write the download: ${code ?? String(err)}`, 'local', { cause: err });
}

function toEngineError(err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  if (err instanceof ProtocolError) return new EngineError('ERR_TRANSFER_PROTOCOL', err.message, 'peer-fault', { cause: err });
  return new EngineError('ERR_INTERNAL', String(err), 'local', { cause: err });
}
