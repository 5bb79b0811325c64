/**
 * Receiver side of one transfer: offered (waiting for the user) → active →
 * verifying (finishing and publishing) → done, or paused / failed / cancelled
 * / denied. Data lands in the partial dir; a file counts as received only once
 * its root matches what the sender computed and it is fsynced ('verified'
 * journal record); files reach the downloads folder only in the publish phase,
 * when all are verified. This file is the flow (accept, resume, data, verify,
 * publish); the state and the ways it ends are in incoming-state.ts.
 */
import type { Offer, ResumeHave } from '../../protocol/messages/transfer.js';
import { rootHash } from '../../protocol/root-hash.js';
import { EngineError } from '../errors.js';
import type { PeerSocket } from '../tls/peer-socket.js';
import { BulkReceiver, diskError, type ReceiveTarget } from './bulk-receiver.js';
import { FINALIZE_CONCURRENCY, MAX_VERIFY_STRIKES } from './constants.js';
import { randomHex } from './context.js';
import { IncomingTransferState } from './incoming-state.js';
import { PartialDir } from './partial.js';
import { publish } from './publish.js';
import { SlotPool } from './slot-pool.js';

export type { IncomingContext, IncomingRestore } from './incoming-state.js';

export class IncomingTransfer extends IncomingTransferState {
  private token: string | undefined;
  private strikes = 0;

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
}
