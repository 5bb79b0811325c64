/**
 * Receiver: one transfer's unverified data, in
 * `<downloads>/.peerdeck-partial/<transferId>/` (0700, never under a file's own
 * name), and what is verifiably in it.
 *
 * Per offered file `i`: `i.part` holds data at its final offsets; `i.sums`
 * holds the SHA-256 of chunks 0..n-1 and is the checkpoint: it is written only
 * after those chunks' data was fdatasync'ed, every CHECKPOINT_BYTES or
 * CHECKPOINT_MS (never per chunk). On resume the receiver claims the
 * checkpointed prefix (sent as a digest) plus the hashes of whole chunks after
 * it, re-read from `i.part` (the unconfirmed tail); the sender confirms the
 * longest prefix that matches its own hashes by where it starts sending.
 */
import { constants as fsc } from 'node:fs';
import { readdir, readFile, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { SHA256_BYTES } from '../../protocol/chunk-frame.js';
import { MAX_RESUME_TAIL, type ResumeHave } from '../../protocol/messages/transfer.js';
import { PARTIAL_DIR_NAME } from '../../protocol/path-validator.js';
import { chunkCount, chunkLength, prefixDigest } from '../../protocol/root-hash.js';
import { EngineError } from '../errors.js';
import { errnoCode, type TransferFs } from './fs-ops.js';
import { ensurePrivateDir } from './landing.js';

/** Verified state of one file. */
export class PartFile {
  /** Chunks 0..checkpointed-1: data fsynced, hashes in `.sums`. */
  checkpointed = 0;
  /** Chunks 0..verified-1: verified and written (verified ≥ checkpointed). */
  verified = 0;
  /** Hashes of chunks checkpointed..verified-1. */
  pending: Buffer[] = [];
  /** Resume: hashes of whole chunks after `verified`, re-read from disk, not yet confirmed by the sender. */
  tail: Buffer[] = [];
  /** Whether the current bulk connection has started this file (its first CHUNK or FILE_END). */
  begun = false;
  fd: number | undefined;
  opening: Promise<number> | undefined;
  /** Bytes written to `.sums`. */
  sumsBytes = 0;
  /** Being finished (fsync, close): checkpoints and closeAll leave it alone. */
  finishing = false;

  constructor(
    readonly index: number,
    public size: number,
  ) {}
}

const FILE_FLAGS = fsc.O_RDWR | fsc.O_CREAT | fsc.O_NOFOLLOW;

/** Tries to make the shared partial base and our folder in it while other transfers remove theirs. */
const OPEN_ATTEMPTS = 16;

export class PartialDir {
  private readonly files = new Map<number, PartFile>();
  /** The checkpoint in progress, if any. */
  private running: Promise<void> | undefined;
  /** Checkpoints and resets run one at a time. */
  private serial: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly dir: string,
    readonly chunkSize: number,
    private readonly fs: TransferFs,
  ) {}

  /** Create (or reopen) the transfer's private directory. Throws ERR_UNSAFE_PATH if a link or a foreign dir is in the way. */
  static async open(downloadsReal: string, transferId: string, chunkSize: number, fs: TransferFs): Promise<PartialDir> {
    if (!/^[0-9a-zA-Z_-]{1,64}$/.test(transferId)) throw new EngineError('ERR_TRANSFER_PROTOCOL', 'transfer id unusable as a folder name', 'peer-fault');
    for (let attempt = 0; ; attempt++) {
      try {
        // Both steps inside the try: the base can vanish between its mkdir (EEXIST) and the checks on it, too.
        const base = await ensurePrivateDir(downloadsReal, PARTIAL_DIR_NAME);
        return new PartialDir(await ensurePrivateDir(base, transferId), chunkSize, fs);
      } catch (err) {
        // Another transfer's remove() just rmdir'd the empty base: make it again. Each lost race needs
        // one more concurrent removal, so a few tries always suffice (one was not: lab/hostile F5/N11).
        if (errnoCode(err) !== 'ENOENT' || attempt >= OPEN_ATTEMPTS - 1) throw err;
      }
    }
  }

  partPath(i: number): string {
    return path.join(this.dir, `${i}.part`);
  }

  private sumsPath(i: number): string {
    return path.join(this.dir, `${i}.sums`);
  }

  file(i: number, size: number): PartFile {
    let f = this.files.get(i);
    if (!f) {
      f = new PartFile(i, size);
      this.files.set(i, f);
    }
    return f;
  }

  /** The write descriptor of `i.part`, opened (created) once. */
  fdOf(f: PartFile): Promise<number> {
    if (f.fd !== undefined) return Promise.resolve(f.fd);
    f.opening ??= this.fs.open(this.partPath(f.index), FILE_FLAGS, 0o644).then((fd) => {
      f.fd = fd;
      f.opening = undefined;
      return fd;
    });
    return f.opening;
  }

  /** Record chunk `f.verified` as verified (hot path: no I/O). */
  markVerified(f: PartFile, hash: Buffer): void {
    f.pending.push(Buffer.from(hash));
    f.verified++;
  }

  /** Bytes verified but not checkpointed, over all files. */
  get uncheckpointedChunks(): number {
    let n = 0;
    for (const f of this.files.values()) n += f.verified - f.checkpointed;
    return n;
  }

  /** fsync the data of every file with new verified chunks, then record their hashes. */
  checkpoint(): Promise<void> {
    return this.serialize(() => this.checkpointNow());
  }

  private checkpointNow(): Promise<void> {
    this.running = this.checkpointFiles();
    return this.running;
  }

  private async checkpointFiles(): Promise<void> {
    for (const f of this.files.values()) {
      if (f.verified === f.checkpointed || f.fd === undefined || f.finishing) continue;
      const from = f.checkpointed;
      const count = f.verified - from;
      const hashes = Buffer.concat(f.pending.slice(0, count));
      await this.fs.fdatasync(f.fd);
      await this.writeSums(f, from, hashes);
      if (f.checkpointed !== from) continue; // rewound meanwhile: the next checkpoint rewrites
      f.checkpointed = from + count;
      f.pending.splice(0, count);
    }
  }

  private async writeSums(f: PartFile, from: number, hashes: Buffer): Promise<void> {
    const fd = await this.fs.open(this.sumsPath(f.index), fsc.O_WRONLY | fsc.O_CREAT | fsc.O_NOFOLLOW, 0o600);
    try {
      await this.fs.write(fd, hashes, 0, hashes.length, from * SHA256_BYTES);
      const end = from * SHA256_BYTES + hashes.length;
      if (f.sumsBytes > end) await this.fs.ftruncate(fd, end);
      f.sumsBytes = end;
      await this.fs.fdatasync(fd);
    } finally {
      await this.fs.close(fd);
    }
  }

  /**
   * The current connection starts file `f` at chunk `k` (its first CHUNK):
   * chunks before k are confirmed (including that much of the resume tail),
   * chunks from k on are forgotten. Returns false if k skips chunks we lack.
   */
  begin(f: PartFile, k: number): boolean {
    f.begun = true;
    if (k > f.verified + f.tail.length) return false;
    if (k >= f.verified) {
      for (const h of f.tail.slice(0, k - f.verified)) this.markVerified(f, h);
    } else if (k >= f.checkpointed) {
      f.pending.length = k - f.checkpointed;
      f.verified = k;
    } else {
      f.checkpointed = k; // .sums beyond k is cut at the next checkpoint
      f.pending = [];
      f.verified = k;
    }
    f.tail = [];
    return true;
  }

  /** FILE_END with no chunk on this connection: the sender confirms all we claimed. */
  confirmAll(f: PartFile): void {
    if (!f.begun) this.begin(f, f.verified + f.tail.length);
  }

  /** All verified chunk hashes of `f`, concatenated (checkpointed ones from `.sums`). */
  async hashesOf(f: PartFile): Promise<Buffer> {
    const cp = f.checkpointed; // captured now: a checkpoint finishing meanwhile moves hashes from memory to disk
    const mem = Buffer.concat(f.pending);
    if (cp === 0) return mem;
    const sums = await readFile(this.sumsPath(f.index));
    if (sums.length < cp * SHA256_BYTES) throw new EngineError('ERR_IO', `checkpoint of file ${f.index} is shorter than recorded`, 'local');
    return Buffer.concat([sums.subarray(0, cp * SHA256_BYTES), mem]);
  }

  /** Make `f.part` durable and close it (creating it if the file is empty). Runs beside other files' finishes. */
  async finish(f: PartFile): Promise<void> {
    f.finishing = true;
    try {
      await this.running?.catch(() => undefined);
      const fd = await this.fdOf(f);
      await this.fs.fsync(fd);
      await this.close(f);
    } finally {
      f.finishing = false;
    }
  }

  async close(f: PartFile): Promise<void> {
    await f.opening?.catch(() => undefined);
    const fd = f.fd;
    f.fd = undefined;
    if (fd !== undefined) await this.fs.close(fd);
  }

  /** Start `f` over: empty data, no checkpoint. */
  reset(f: PartFile, size: number): Promise<void> {
    return this.serialize(async () => {
      await this.close(f);
      await rm(this.partPath(f.index), { force: true });
      await rm(this.sumsPath(f.index), { force: true });
      Object.assign(f, { checkpointed: 0, verified: 0, pending: [], tail: [], begun: false, sumsBytes: 0, size });
    });
  }

  /** A bulk connection ended: checkpoint what was verified, close every file. Verified state stays. */
  closeAll(): Promise<void> {
    return this.serialize(async () => {
      await this.checkpointNow().catch(() => undefined);
      await this.closeFiles();
    });
  }

  private async closeFiles(): Promise<void> {
    for (const f of this.files.values()) {
      f.begun = false;
      if (!f.finishing) await this.close(f).catch(() => undefined);
    }
  }

  /** Delete the directory and everything in it (only ever our own files), and the partial folder if that left it empty. */
  async remove(): Promise<void> {
    await this.serialize(async () => {
      await this.closeFiles();
      await rm(this.dir, { recursive: true, force: true });
      await rmdir(path.dirname(this.dir)).catch(() => undefined); // ENOTEMPTY: other transfers are in it
    });
  }

  /**
   * Resume: what is verifiably here for each file not in `skip`. Loads each
   * file's checkpoint, re-hashes the whole chunks after it, and returns the
   * OFFER_ACCEPT `have` entries.
   */
  async claims(sizes: readonly number[], skip: ReadonlySet<number>, hash: (data: Buffer) => Promise<Buffer>, scratch: Buffer): Promise<ResumeHave[]> {
    return this.serialize(async () => {
      const present = new Set<number>();
      for (const name of await readdir(this.dir)) {
        const m = /^(\d+)\.part$/.exec(name);
        if (m) present.add(Number(m[1]));
      }
      const have: ResumeHave[] = [];
      for (const i of present) {
        const size = sizes[i];
        if (size === undefined || skip.has(i)) continue;
        const f = this.file(i, size);
        await this.close(f);
        Object.assign(f, { checkpointed: 0, verified: 0, pending: [], tail: [], begun: false });
        const claim = await this.claimFile(f, hash, scratch);
        if (claim) have.push(claim);
      }
      return have.sort((a, b) => a.file - b.file);
    });
  }

  private async claimFile(f: PartFile, hash: (data: Buffer) => Promise<Buffer>, scratch: Buffer): Promise<ResumeHave | undefined> {
    const cs = this.chunkSize;
    const count = chunkCount(f.size, cs);
    const fd = await this.fs.open(this.partPath(f.index), fsc.O_RDONLY | fsc.O_NOFOLLOW);
    try {
      const partSize = (await this.fs.fstat(fd)).size;
      const whole = partSize >= f.size ? count : Math.floor(partSize / cs);
      let sums: Buffer = Buffer.alloc(0);
      try {
        sums = await readFile(this.sumsPath(f.index));
      } catch (err) {
        if (errnoCode(err) !== 'ENOENT') throw err;
      }
      const n = Math.min(Math.floor(sums.length / SHA256_BYTES), whole);
      f.sumsBytes = sums.length;
      f.checkpointed = n;
      f.verified = n;
      for (let k = n; k < Math.min(whole, n + MAX_RESUME_TAIL); k++) {
        const len = chunkLength(f.size, cs, k);
        const view = scratch.subarray(0, len);
        if ((await this.fs.read(fd, view, 0, len, k * cs)) !== len) break;
        f.tail.push(await hash(view));
      }
      if (n === 0 && f.tail.length === 0) return undefined;
      return {
        file: f.index,
        chunks: n,
        digest: prefixDigest(sums.subarray(0, n * SHA256_BYTES)).toString('hex'),
        tail: f.tail.map((h) => h.toString('hex')),
      };
    } finally {
      await this.fs.close(fd);
    }
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.serial.then(fn, fn);
    this.serial = run.catch(() => undefined);
    return run;
  }
}
