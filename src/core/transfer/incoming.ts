/**
 * Receiver side of one transfer: offered (waiting for the user) → active →
 * verifying (finishing and publishing) → done, or paused / failed / cancelled
 * / denied. Data lands in the partial dir; a file counts as received only once
 * its root matches what the sender computed and it is fsynced ('verified'
 * journal record); files reach the downloads folder only in the publish phase,
 * when all are verified.
 */
import type { DeviceId } from '../../protocol/device-id.js';
import type { Cancel, Offer, ResumeHave, TransferDone } from '../../protocol/messages/transfer.js';
import { rootHash } from '../../protocol/root-hash.js';
import type { TransferState } from '../engine-api.js';
import { EngineError, type EngineErrorCode } from '../errors.js';
import type { RecordLog } from '../record-log.js';
import type { PeerSocket } from '../tls/peer-socket.js';
import { BulkReceiver, diskError, type ReceiveTarget } from './bulk-receiver.js';
import { FINALIZE_CONCURRENCY, MAX_VERIFY_STRIKES } from './constants.js';
import { randomHex, type TransferContext, type TransferResult } from './context.js';
import { CANCEL_TO_ERROR } from './outgoing.js';
import { PartialDir } from './partial.js';
import { publish } from './publish.js';
import type { EndState, InRecord } from './records.js';
import { SlotPool } from './slot-pool.js';

export interface IncomingContext extends TransferContext {
  /** Real path of the downloads folder. */
  readonly downloads: string;
  /** Undefined if `need` more bytes fit (counting other running transfers and the reserve), else why not. */
  checkSpace(t: IncomingTransfer, need: number): Promise<string | undefined>;
}

const TERMINAL: ReadonlySet<TransferState> = new Set(['done', 'failed', 'cancelled', 'denied']);

/** Persisted progress of a transfer being restored from the journal. */
export interface IncomingRestore {
  readonly verified: Map<number, string>;
  readonly tops: Map<string, string>;
  readonly published: Map<number, string>;
}

export class IncomingTransfer {
  readonly direction = 'receive' as const;
  readonly id: string;
  readonly peerId: DeviceId;
  readonly chunkSize: number;
  files: Offer['files'];
  readonly dirs: readonly string[];
  state: TransferState = 'offered';
  attempts = 0;
  bytesOnWire = 0;
  error: { code: string; message: string } | undefined;
  partial: PartialDir | undefined;
  /** Roots (hex) of files verified whole. */
  readonly verified: Map<number, string>;
  private readonly tops: Map<string, string>;
  private readonly published: Map<number, string>;
  private accepted: boolean;
  private token: string | undefined;
  private bulk: BulkReceiver | undefined;
  private strikes = 0;
  private verifiedBytes = 0;
  private liveBytes = 0;
  private finalizing = 0;
  private readonly finalizeQueue: Array<{ file: number; root: Buffer }> = [];
  private idle: Array<() => void> = [];
  private publishing: Promise<void> | undefined;
  private settle!: (r: TransferResult) => void;
  readonly result: Promise<TransferResult>;
  /** Kept after the end, so a re-offer of a finished transfer gets its TRANSFER_DONE again. */
  doneMessage: TransferDone | undefined;
  /** What its file list weighs (offer-check.ts manifestBytes), for the per-peer caps. */
  manifestBytes = 0;

  constructor(
    private readonly ctx: IncomingContext,
    private readonly log: RecordLog<InRecord>,
    readonly peerName: string,
    offer: Offer,
    peerId: DeviceId,
    restore?: IncomingRestore,
  ) {
    this.id = offer.id;
    this.peerId = peerId;
    this.chunkSize = offer.chunkSize;
    this.files = offer.files;
    this.dirs = offer.dirs;
    this.verified = restore?.verified ?? new Map();
    this.tops = restore?.tops ?? new Map();
    this.published = restore?.published ?? new Map();
    this.accepted = restore !== undefined;
    if (restore) this.state = 'paused';
    for (const i of this.verified.keys()) this.verifiedBytes += this.files[i]?.size ?? 0;
    this.result = new Promise((resolve) => (this.settle = resolve));
  }

  get sizes(): number[] {
    return this.files.map((f) => f.size);
  }
  get bytesTotal(): number {
    return this.files.reduce((s, f) => s + f.size, 0);
  }
  get bytesDone(): number {
    return this.verifiedBytes + this.liveBytes;
  }
  get terminal(): boolean {
    return TERMINAL.has(this.state);
  }
  /** The top-level names as published (`report (1).pdf` when `report.pdf` was taken). */
  get landedTops(): ReadonlyMap<string, string> {
    return this.tops;
  }
  /** File index → its path as published, for the files published so far. */
  get landedFiles(): ReadonlyMap<number, string> {
    return this.published;
  }
  get isAccepted(): boolean {
    return this.accepted;
  }
  /** A data connection is attached right now. */
  get hasBulk(): boolean {
    return this.bulk !== undefined;
  }

  /** Accepted, but no data came for too long while the sender was online: end it (the sender is told TIMEOUT). */
  async expireIdle(message: string): Promise<void> {
    if (!this.accepted || this.terminal || this.state === 'verifying') return;
    await this.stopWith('TIMEOUT', 'ERR_TIMEOUT', message);
  }

  /** Accept (first time or resume): open the partial dir, work out what we hold, send OFFER_ACCEPT. */
  async accept(): Promise<void> {
    if (this.terminal) return;
    try {
      await this.closeBulk();
      await this.whenIdle();
      if (!this.accepted) {
        // Fresh offer: refuse for space before anything touches the disk.
        const short = await this.ctx.checkSpace(this, this.bytesTotal);
        if (short) return void this.refuseForSpace(short);
      }
      this.partial ??= await PartialDir.open(this.ctx.downloads, this.id, this.chunkSize, this.ctx.fs);
      if (this.verified.size === this.files.length) return void this.startPublish();
      let have: ResumeHave[] = [];
      let held = this.verifiedBytes;
      if (this.accepted) {
        // A resume: what is verifiably here already, and room for the rest.
        const scratch = new SlotPool(1, this.chunkSize);
        const slot = scratch.tryAcquire()!;
        have = await this.partial.claims(this.sizes, new Set(this.verified.keys()), (d) => this.ctx.hashPool.hash(d), slot.data).finally(() => this.ctx.hashPool.detach(scratch.sab));
        held += have.reduce((s, h) => s + Math.min((h.chunks + h.tail.length) * this.chunkSize, this.files[h.file]!.size), 0);
        const short = await this.ctx.checkSpace(this, this.bytesTotal - held);
        if (short) return void this.refuseForSpace(short);
      } else {
        await this.log.append({ op: 'accept', id: this.id, peer: this.peerId, files: this.files, dirs: this.dirs, chunkSize: this.chunkSize, at: this.ctx.clock.wallNow() });
        this.accepted = true;
      }
      this.token = randomHex(this.ctx.random, 32);
      this.state = 'active';
      this.attempts++;
      this.liveBytes = held - this.verifiedBytes; // what the claims hold of unfinished files
      this.ctx.sendControl(this.peerId, { type: 'OFFER_ACCEPT', id: this.id, token: this.token, have, done: [...this.verified.keys()].sort((a, b) => a - b) });
      this.ctx.emit({ type: 'transfer-started', id: this.id, deviceId: this.peerId, direction: 'receive', attempt: this.attempts });
      this.ctx.changed();
    } catch (err) {
      const e = diskError(err);
      const unsafe = e.code === 'ERR_UNSAFE_PATH';
      if (!this.accepted) {
        this.ctx.sendControl(this.peerId, { type: 'OFFER_DENY', id: this.id, code: unsafe ? 'UNSAFE_PATH' : 'BUSY', reason: e.message.slice(0, 200) });
        await this.finish('failed', e.code, e.message);
      } else {
        await this.stopWith(unsafe ? 'UNSAFE_PATH' : 'IO_ERROR', e.code, e.message);
      }
    }
  }

  /** Refuse (a fresh offer: the sender is told why) or pause (accepted: it resumes when there is room). */
  async refuseForSpace(reason: string): Promise<void> {
    if (!this.accepted) {
      this.ctx.sendControl(this.peerId, { type: 'OFFER_DENY', id: this.id, code: 'NO_SPACE', reason });
      await this.finish('failed', 'ERR_NO_SPACE', reason);
      return;
    }
    this.pause('NO_SPACE', 'ERR_NO_SPACE', reason);
  }

  /** The sender re-offered this id: sizes may have changed (a source changed); then resume. */
  async reoffer(offer: Offer): Promise<void> {
    if (this.terminal) {
      this.ctx.sendControl(this.peerId, this.endReply());
      return;
    }
    if (this.state === 'verifying') return; // publishing: TRANSFER_DONE follows
    const same = offer.chunkSize === this.chunkSize && offer.files.length === this.files.length && offer.dirs.length === this.dirs.length &&
      offer.files.every((f, i) => f.path === this.files[i]!.path) && offer.dirs.every((d, i) => d === this.dirs[i]);
    if (!same) {
      this.ctx.sendControl(this.peerId, { type: 'OFFER_DENY', id: this.id, code: 'BAD_OFFER', reason: 'a resumed offer must list the same files' });
      return;
    }
    if (!this.accepted) return; // still waiting for the user: nothing to do
    await this.closeBulk();
    await this.whenIdle();
    for (let i = 0; i < offer.files.length; i++) {
      const size = offer.files[i]!.size;
      if (size === this.files[i]!.size || this.verified.has(i)) continue;
      this.partial ??= await PartialDir.open(this.ctx.downloads, this.id, this.chunkSize, this.ctx.fs);
      await this.partial.reset(this.partial.file(i, size), size);
      await this.log.append({ op: 'resize', id: this.id, file: i, size });
    }
    this.files = offer.files.map((f, i) => (this.verified.has(i) ? this.files[i]! : f));
    await this.accept();
  }

  /** An inbound bulk connection presented our token. */
  attachBulk(socket: PeerSocket, token: string, rest: Buffer): boolean {
    if (this.state !== 'active' || !this.token || token !== this.token || socket.deviceId !== this.peerId || !this.partial) return false;
    this.token = undefined; // one-time
    const target: ReceiveTarget = {
      chunkSize: this.chunkSize,
      sizes: this.sizes,
      partial: this.partial,
      isFileDone: (i) => this.verified.has(i),
      fileEnded: (i, root) => this.fileEnded(i, root),
    };
    const bulk = new BulkReceiver(socket, target, { fs: this.ctx.fs, hashPool: this.ctx.hashPool, windowChunks: this.ctx.windowChunks, clock: this.ctx.clock }, (n) => {
      this.liveBytes += n;
    }, rest);
    this.bulk = bulk;
    void bulk.finished.then((reason) => this.bulkEnded(bulk, socket, reason));
    return true;
  }

  private bulkEnded(bulk: BulkReceiver, socket: PeerSocket, reason: EngineError | undefined): void {
    this.bytesOnWire += socket.bytesRead;
    if (this.bulk === bulk) this.bulk = undefined;
    if (this.terminal || this.state !== 'active' || !reason) return;
    const allEnded = this.verified.size + this.finalizing + this.finalizeQueue.length >= this.files.length;
    switch (reason.code) {
      case 'ERR_NO_SPACE':
        return this.pause('NO_SPACE', reason.code, reason.message);
      case 'ERR_VERIFICATION_FAILED':
        return this.strike(reason.message);
      case 'ERR_IO':
      case 'ERR_UNSAFE_PATH':
      case 'ERR_TRANSFER_PROTOCOL':
      case 'ERR_INTERNAL':
        void this.stopWith(reason.code === 'ERR_TRANSFER_PROTOCOL' ? 'PROTOCOL' : reason.code === 'ERR_UNSAFE_PATH' ? 'UNSAFE_PATH' : 'IO_ERROR', reason.code, reason.message);
        return;
      default:
        if (!allEnded) {
          this.state = 'paused';
          this.error = { code: reason.code, message: reason.message };
          this.ctx.emit({ type: 'transfer-paused', id: this.id, direction: 'receive', code: reason.code, reason: reason.message });
          this.ctx.changed();
        }
    }
  }

  private strike(message: string): void {
    if (++this.strikes >= MAX_VERIFY_STRIKES) void this.stopWith('VERIFY_FAILED', 'ERR_VERIFICATION_FAILED', `${message} (${this.strikes} times)`);
    else this.pause('VERIFY_FAILED', 'ERR_VERIFICATION_FAILED', message);
  }

  /** Every chunk of file `i` arrived and verified. */
  private fileEnded(i: number, root: Buffer): void {
    if (this.terminal || this.verified.has(i)) return;
    this.finalizeQueue.push({ file: i, root });
    this.pumpFinalize();
  }

  private pumpFinalize(): void {
    while (this.finalizing < FINALIZE_CONCURRENCY && this.finalizeQueue.length > 0) {
      const { file, root } = this.finalizeQueue.shift()!;
      this.finalizing++;
      void this.finalize(file, root).finally(() => {
        this.finalizing--;
        this.pumpFinalize();
        if (this.finalizing === 0 && this.finalizeQueue.length === 0) for (const fn of this.idle.splice(0)) fn();
      });
    }
  }

  private whenIdle(): Promise<void> {
    if (this.finalizing === 0 && this.finalizeQueue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private async finalize(i: number, expected: Buffer): Promise<void> {
    const partial = this.partial!;
    const size = this.files[i]!.size;
    const f = partial.file(i, size);
    try {
      const root = rootHash(size, this.chunkSize, await partial.hashesOf(f));
      if (!root.equals(expected)) {
        await partial.reset(f, size);
        this.bulk?.fail(new EngineError('ERR_VERIFICATION_FAILED', `${this.files[i]!.path}: root hash does not match`, 'peer-fault'));
        return;
      }
      await partial.finish(f);
      await this.log.append({ op: 'verified', id: this.id, file: i, root: root.toString('hex') });
      this.verified.set(i, root.toString('hex'));
      this.verifiedBytes += size;
      this.liveBytes -= Math.min(this.liveBytes, size);
      if (this.verified.size === this.files.length) this.startPublish();
    } catch (err) {
      this.bulk?.fail(diskError(err));
      if (!this.bulk && !this.terminal) this.pause('IO_ERROR', diskError(err).code, diskError(err).message);
    }
  }

  private startPublish(): void {
    if (this.publishing || this.terminal) return;
    this.state = 'verifying';
    this.ctx.changed();
    this.publishing = this.runPublish().finally(() => (this.publishing = undefined));
  }

  private async runPublish(): Promise<void> {
    try {
      const paths = await publish({
        downloads: this.ctx.downloads,
        files: this.files,
        dirs: this.dirs,
        partPath: (i) => this.partial!.partPath(i),
        tops: this.tops,
        published: this.published,
        recordTop: (name, as) => this.log.append({ op: 'top', id: this.id, name, as }),
        recordPublished: (file, path) => this.log.append({ op: 'published', id: this.id, file, path }),
      });
      this.doneMessage = { type: 'TRANSFER_DONE', id: this.id, files: paths.map((path, i) => ({ path, root: this.verified.get(i)! })) };
      this.bulk?.fail(new EngineError('ERR_CONNECTION_CLOSED', 'transfer done', 'local'));
      await this.partial?.remove().catch(() => undefined);
      // Done here (state, journal, event) before the sender is told: its "done" never runs ahead of ours.
      await this.finish('done');
      this.ctx.emit({ type: 'transfer-progress', id: this.id, bytes: this.bytesTotal, total: this.bytesTotal });
      this.ctx.emit({ type: 'transfer-done', id: this.id, direction: 'receive', paths, bytes: this.bytesTotal, bytesOnWire: this.bytesOnWire });
      this.ctx.sendControl(this.peerId, this.doneMessage);
    } catch (err) {
      const e = diskError(err);
      if (e.code === 'ERR_NO_SPACE') this.pause('NO_SPACE', e.code, e.message);
      else await this.stopWith(e.code === 'ERR_UNSAFE_PATH' ? 'UNSAFE_PATH' : 'IO_ERROR', e.code, e.message);
    }
  }

  /** The sender cancelled (or gave up). */
  async onCancel(msg: Cancel): Promise<void> {
    if (this.terminal) return;
    const code = CANCEL_TO_ERROR[msg.code];
    await this.end(msg.code === 'CANCELLED' ? 'cancelled' : 'failed', code, `stopped by the sender: ${msg.reason}`);
  }

  /** Cancel from this side (or deny a pending offer); the sender is told. */
  async cancel(): Promise<void> {
    if (this.terminal) return;
    if (!this.accepted) {
      this.ctx.sendControl(this.peerId, { type: 'OFFER_DENY', id: this.id, code: 'DECLINED', reason: 'declined by the receiver' });
      await this.finish('denied', 'ERR_DENIED', 'declined');
      return;
    }
    this.ctx.sendControl(this.peerId, { type: 'CANCEL', id: this.id, code: 'CANCELLED', reason: 'cancelled by the receiver' });
    await this.end('cancelled', 'ERR_CANCELLED', 'cancelled by the receiver');
  }

  /** What a re-offer of this ended transfer gets: its TRANSFER_DONE again, or why it ended. */
  endReply(): TransferDone | Cancel {
    if (this.state === 'done' && this.doneMessage) return this.doneMessage;
    const code = this.error?.code;
    const wire: Cancel['code'] =
      code === 'ERR_NO_SPACE' ? 'NO_SPACE' : code === 'ERR_VERIFICATION_FAILED' ? 'VERIFY_FAILED' : code === 'ERR_UNSAFE_PATH' ? 'UNSAFE_PATH'
        : code === 'ERR_TRANSFER_PROTOCOL' ? 'PROTOCOL' : code === 'ERR_IO' ? 'IO_ERROR' : code === 'ERR_OFFER_TIMEOUT' ? 'TIMEOUT' : 'CANCELLED';
    return { type: 'CANCEL', id: this.id, code: wire, reason: (this.error?.message ?? 'ended').slice(0, 200) };
  }

  /** Nobody answered the dialog in time. */
  async expire(): Promise<void> {
    if (this.accepted || this.terminal) return;
    this.ctx.sendControl(this.peerId, { type: 'OFFER_DENY', id: this.id, code: 'DECLINED', reason: 'nobody answered in time' });
    await this.finish('denied', 'ERR_OFFER_TIMEOUT', 'nobody answered in time');
  }

  peerOnline(): void {
    if (this.state === 'done' && this.doneMessage) this.ctx.sendControl(this.peerId, this.doneMessage);
  }

  /** Manager stopping: drop the connection; partial data and journal stay for next time. */
  async stop(): Promise<void> {
    await this.closeBulk();
    await this.whenIdle();
    await this.publishing?.catch(() => undefined);
    await this.partial?.closeAll().catch(() => undefined);
  }

  private async closeBulk(): Promise<void> {
    const bulk = this.bulk;
    if (!bulk) return;
    bulk.fail(new EngineError('ERR_CONNECTION_CLOSED', 'bulk connection replaced', 'local'));
    await bulk.finished;
  }

  private pause(wire: 'NO_SPACE' | 'IO_ERROR' | 'VERIFY_FAILED', code: EngineErrorCode, message: string): void {
    if (this.terminal) return;
    this.state = 'paused';
    this.error = { code, message };
    this.ctx.sendControl(this.peerId, { type: 'TRANSFER_PAUSE', id: this.id, code: wire, reason: message.slice(0, 200) });
    this.bulk?.fail(new EngineError(code, message, 'retryable'));
    this.ctx.emit({ type: 'transfer-paused', id: this.id, direction: 'receive', code, reason: message });
    this.ctx.changed();
  }

  /** Stop for good with `wire` told to the sender. */
  private async stopWith(wire: Cancel['code'], code: EngineErrorCode, message: string): Promise<void> {
    if (this.terminal) return;
    this.ctx.sendControl(this.peerId, { type: 'CANCEL', id: this.id, code: wire, reason: message.slice(0, 200) });
    await this.end('failed', code, message);
  }

  /** End and clean up: nothing stays under a final name that was not there (publishing is all or nothing per file). */
  private async end(state: EndState, code: EngineErrorCode, message: string): Promise<void> {
    const wasTerminal = this.terminal;
    await this.finish(state, code, message);
    if (wasTerminal) return;
    await this.closeBulk();
    await this.whenIdle();
    await this.partial?.remove().catch(() => undefined);
  }

  private async finish(state: EndState, code?: string, message?: string): Promise<void> {
    if (this.terminal) return;
    this.state = state;
    this.error = code ? { code, message: message ?? code } : undefined;
    if (state !== 'done') this.ctx.emit({ type: 'transfer-failed', id: this.id, direction: 'receive', code: code ?? 'ERR_INTERNAL', reason: message ?? '' });
    this.settle(state === 'done' ? { ok: true } : { ok: false, code: code ?? 'ERR_INTERNAL', reason: message ?? '' });
    this.ctx.changed();
    if (this.accepted) await this.log.append({ op: 'end', id: this.id, state, ...(code ? { code } : {}), ...(message ? { reason: message } : {}) }).catch(() => undefined);
  }
}
