/**
 * Sender side of one transfer: offered → active → verifying → done, with
 * paused / failed / cancelled / denied on the way. It re-offers the same id to
 * resume (after a dropped connection, a pause, or a restart of either side),
 * re-checking every source first; a source that changed starts that file over
 * and says so (`transfer-restarted`), up to MAX_SOURCE_RESTARTS times.
 */
import { lstat } from 'node:fs/promises';
import type { DeviceId } from '../../protocol/device-id.js';
import type { Cancel, OfferAccept, OfferDeny, TransferDone, TransferPause } from '../../protocol/messages/transfer.js';
import { rootHash } from '../../protocol/root-hash.js';
import type { TimerHandle } from '../clock.js';
import type { TransferState } from '../engine-api.js';
import { EngineError, type EngineErrorCode } from '../errors.js';
import type { RecordLog } from '../record-log.js';
import { BulkSender, type SendFile } from './bulk-sender.js';
import { MAX_SOURCE_RESTARTS, NO_SPACE_RETRY_MS, RETRY_BACKOFF_MS } from './constants.js';
import type { TransferContext, TransferResult } from './context.js';
import { errnoCode } from './fs-ops.js';
import { toJournal, type EndState, type OutgoingFileRecord, type OutRecord } from './records.js';
import { sameStat, statOf } from './scan.js';
import { planSend } from './send-plan.js';

const DENY_CODES: Record<OfferDeny['code'], EngineErrorCode> = {
  DECLINED: 'ERR_DENIED',
  BUSY: 'ERR_DENIED',
  BAD_PATH: 'ERR_BAD_PATH',
  NO_SPACE: 'ERR_NO_SPACE',
  TOO_LARGE: 'ERR_OFFER_TOO_LARGE',
  BAD_OFFER: 'ERR_TRANSFER_PROTOCOL',
  UNSAFE_PATH: 'ERR_UNSAFE_PATH',
};

export const CANCEL_TO_ERROR: Record<Cancel['code'], EngineErrorCode> = {
  CANCELLED: 'ERR_CANCELLED',
  TIMEOUT: 'ERR_OFFER_TIMEOUT',
  SOURCE_CHANGED: 'ERR_SOURCE_CHANGED',
  VERIFY_FAILED: 'ERR_VERIFICATION_FAILED',
  IO_ERROR: 'ERR_IO',
  NO_SPACE: 'ERR_NO_SPACE',
  UNSAFE_PATH: 'ERR_UNSAFE_PATH',
  PROTOCOL: 'ERR_TRANSFER_PROTOCOL',
};

export const PAUSE_TO_ERROR: Record<TransferPause['code'], EngineErrorCode> = {
  NO_SPACE: 'ERR_NO_SPACE',
  IO_ERROR: 'ERR_IO',
  VERIFY_FAILED: 'ERR_VERIFICATION_FAILED',
};

const TERMINAL: ReadonlySet<TransferState> = new Set(['done', 'failed', 'cancelled', 'denied']);

export interface OutgoingInit {
  readonly id: string;
  readonly peerId: DeviceId;
  readonly chunkSize: number;
  readonly files: readonly OutgoingFileRecord[];
  readonly dirs: readonly string[];
  /** Top-level name → local path (scan's `roots`). */
  readonly roots: Readonly<Record<string, string>>;
}

export class OutgoingTransfer {
  readonly direction = 'send' as const;
  readonly id: string;
  readonly peerId: DeviceId;
  readonly chunkSize: number;
  readonly dirs: readonly string[];
  private readonly sourceRoots: Readonly<Record<string, string>>;
  files: OutgoingFileRecord[];
  state: TransferState = 'paused';
  attempts = 0;
  bytesDone = 0;
  bytesOnWire = 0;
  error: { code: string; message: string } | undefined;
  private timer: TimerHandle | undefined;
  private sender: BulkSender | undefined;
  private readonly roots = new Map<number, Buffer>();
  private restarts = 0;
  private failures = 0;
  private settle!: (r: TransferResult) => void;
  readonly result: Promise<TransferResult>;

  constructor(
    private readonly ctx: TransferContext,
    private readonly log: RecordLog<OutRecord>,
    init: OutgoingInit,
  ) {
    this.id = init.id;
    this.peerId = init.peerId;
    this.chunkSize = init.chunkSize;
    this.files = [...init.files];
    this.dirs = init.dirs;
    this.sourceRoots = init.roots;
    this.result = new Promise((resolve) => (this.settle = resolve));
  }

  get bytesTotal(): number {
    return this.files.reduce((s, f) => s + f.size, 0);
  }

  get terminal(): boolean {
    return TERMINAL.has(this.state);
  }

  /** First offer: journal it, then send it. Throws ERR_PEER_OFFLINE (nothing kept) if the peer has no session. */
  async start(): Promise<void> {
    if (!this.ctx.isOnline(this.peerId)) throw new EngineError('ERR_PEER_OFFLINE', 'the peer is offline', 'retryable');
    await this.log.append({ op: 'offer', id: this.id, peer: this.peerId, chunkSize: this.chunkSize, roots: this.sourceRoots, files: toJournal(this.files, this.sourceRoots), dirs: this.dirs, at: this.ctx.clock.wallNow() });
    this.sendOffer();
  }

  /** Re-offer the same id (resume), re-checking the sources first. */
  async resume(): Promise<void> {
    if (this.terminal || this.state === 'offered' || this.state === 'active') return;
    this.ctx.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.ctx.isOnline(this.peerId)) return this.pause(undefined);
    try {
      if (!(await this.restat())) return;
    } catch (err) {
      // The journal could not record the new version: try again later rather than offer stale sizes.
      this.error = { code: 'ERR_JOURNAL', message: (err as Error).message };
      return this.pause(RETRY_BACKOFF_MS[Math.min(this.failures++, RETRY_BACKOFF_MS.length - 1)]!);
    }
    this.sendOffer();
  }

  private sendOffer(): void {
    const offer = {
      type: 'OFFER' as const,
      id: this.id,
      files: this.files.map((f) => ({ path: f.rel, size: f.size })),
      dirs: [...this.dirs],
      chunkSize: this.chunkSize,
      totalBytes: this.bytesTotal,
    };
    if (!this.ctx.sendControl(this.peerId, offer)) return this.pause(undefined);
    this.state = 'offered';
    this.timer = this.ctx.clock.setTimeout(() => this.offerTimedOut(), this.ctx.offerTimeoutMs);
    this.ctx.emit({ type: 'transfer-offered', id: this.id, deviceId: this.peerId, name: this.ctx.nameOf(this.peerId), files: this.files.length, total: this.bytesTotal });
    this.ctx.changed();
  }

  private offerTimedOut(): void {
    if (this.state !== 'offered') return;
    this.ctx.sendControl(this.peerId, { type: 'CANCEL', id: this.id, code: 'TIMEOUT', reason: 'nobody answered the offer in time' });
    void this.finish('failed', 'ERR_OFFER_TIMEOUT', `no answer within ${Math.round(this.ctx.offerTimeoutMs / 1000)} s`);
  }

  /** Compare every source with the version offered; false if the transfer ended. */
  private async restat(): Promise<boolean> {
    const changed: string[] = [];
    for (let i = 0; i < this.files.length; i++) {
      const f = this.files[i]!;
      let now;
      try {
        now = statOf(await lstat(f.abs));
      } catch (err) {
        await this.fail('ERR_SOURCE_CHANGED', `${f.rel} can no longer be read (${errnoCode(err) ?? String(err)})`);
        return false;
      }
      if (sameStat(now, f)) continue;
      changed.push(`${f.rel} (${f.size} → ${now.size} bytes)`);
      this.files[i] = { ...f, ...now };
      await this.log.append({ op: 'restat', id: this.id, file: i, ...now });
    }
    if (changed.length === 0) return true;
    if (++this.restarts > MAX_SOURCE_RESTARTS) {
      await this.fail('ERR_SOURCE_CHANGED', `sources keep changing: ${changed.join(', ')}`);
      return false;
    }
    const reason = `changed since the offer, sent again from where it still matches: ${changed.join(', ')}`;
    this.error = { code: 'ERR_SOURCE_CHANGED', message: reason };
    this.ctx.emit({ type: 'transfer-restarted', id: this.id, reason });
    return true;
  }

  async onAccept(msg: OfferAccept): Promise<void> {
    if (this.state !== 'offered') return;
    this.ctx.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.state = 'active';
    this.attempts++;
    this.ctx.emit({ type: 'transfer-started', id: this.id, deviceId: this.peerId, direction: 'send', attempt: this.attempts });
    this.ctx.changed();
    let sender: BulkSender | undefined;
    try {
      const plan = await this.plan(msg);
      if (this.state !== 'active') return;
      const socket = await this.ctx.dialBulk(this.peerId);
      if (this.state !== 'active') return socket.close();
      const before = this.bytesDone;
      sender = new BulkSender(socket, { id: this.id, token: msg.token, chunkSize: this.chunkSize, files: plan, windowChunks: this.ctx.windowChunks }, this.ctx, (n) => {
        this.bytesDone += n;
      });
      this.sender = sender;
      await sender.run();
      for (const [i, r] of sender.roots) this.roots.set(i, r);
      socket.close();
      if (this.bytesDone > before) this.failures = 0;
      if (this.state === 'active') {
        this.state = 'verifying';
        this.ctx.changed();
      }
    } catch (err) {
      this.attemptFailed(err);
    } finally {
      if (sender) {
        this.bytesOnWire += sender.bytesOnWire;
        if (this.sender === sender) this.sender = undefined;
      }
    }
  }

  private attemptFailed(err: unknown): void {
    if (this.state !== 'active') return; // paused, cancelled or done meanwhile
    const e = err instanceof EngineError ? err : new EngineError('ERR_INTERNAL', String(err), 'local', { cause: err });
    if (e.code === 'ERR_IO' || e.code === 'ERR_INTERNAL') {
      this.ctx.sendControl(this.peerId, { type: 'CANCEL', id: this.id, code: 'IO_ERROR', reason: e.message.slice(0, 200) });
      void this.fail(e.code, e.message);
      return;
    }
    this.error = { code: e.code, message: e.message };
    const delay = e.code === 'ERR_SOURCE_CHANGED' ? 0 : RETRY_BACKOFF_MS[Math.min(this.failures++, RETRY_BACKOFF_MS.length - 1)]!;
    this.pause(delay, e);
  }

  /** Which chunk each remaining file starts at, given what the receiver verifiably holds. */
  private async plan(msg: OfferAccept): Promise<SendFile[]> {
    const { files, bytesHeld } = await planSend(this.files, this.chunkSize, msg, this.ctx);
    this.bytesDone = bytesHeld;
    return files;
  }

  onDeny(msg: OfferDeny): void {
    if (this.terminal) return;
    const code = DENY_CODES[msg.code];
    void this.finish(msg.code === 'DECLINED' ? 'denied' : 'failed', code, `${msg.code === 'DECLINED' ? 'declined' : 'refused'} by the receiver: ${msg.reason}`);
  }

  onDone(msg: TransferDone): void {
    if (this.terminal) return;
    if (msg.files.length !== this.files.length) {
      void this.fail('ERR_TRANSFER_PROTOCOL', 'the receiver confirmed a different number of files');
      return;
    }
    for (let i = 0; i < this.files.length; i++) {
      const mine = this.roots.get(i) ?? this.knownRoot(i);
      if (mine && mine.toString('hex') !== msg.files[i]!.root) {
        void this.fail('ERR_VERIFICATION_FAILED', `${this.files[i]!.rel}: the receiver's root hash differs from ours`);
        return;
      }
    }
    this.sender?.abort(new EngineError('ERR_CONNECTION_CLOSED', 'transfer done', 'local'));
    this.bytesDone = this.bytesTotal;
    // The sampler runs every PROGRESS_SAMPLE_MS: its last sample may be short of the end.
    this.ctx.emit({ type: 'transfer-progress', id: this.id, bytes: this.bytesTotal, total: this.bytesTotal });
    this.ctx.emit({ type: 'transfer-done', id: this.id, direction: 'send', paths: msg.files.map((f) => f.path), bytes: this.bytesTotal, bytesOnWire: this.bytesOnWire });
    void this.finish('done');
  }

  /** Root of file `i` from cached hashes (files finished in an earlier attempt or process), if all are known. */
  private knownRoot(i: number): Buffer | undefined {
    const f = this.files[i]!;
    const e = this.ctx.cache.entry(f.abs, f, this.chunkSize);
    return e.complete ? rootHash(f.size, this.chunkSize, e.hashes) : undefined;
  }

  onPause(msg: TransferPause): void {
    if (this.terminal) return;
    const code = PAUSE_TO_ERROR[msg.code];
    this.error = { code, message: `paused by the receiver: ${msg.reason}` };
    this.ctx.emit({ type: 'transfer-paused', id: this.id, direction: 'send', code, reason: msg.reason });
    this.sender?.abort(new EngineError(code, msg.reason, 'retryable'));
    this.pause(msg.code === 'NO_SPACE' ? NO_SPACE_RETRY_MS : RETRY_BACKOFF_MS[Math.min(this.failures++, RETRY_BACKOFF_MS.length - 1)]!);
  }

  onCancel(msg: Cancel): void {
    if (this.terminal) return;
    const code = CANCEL_TO_ERROR[msg.code];
    this.sender?.abort(new EngineError(code, msg.reason, 'peer-fault'));
    void this.finish(msg.code === 'CANCELLED' ? 'cancelled' : 'failed', code, `stopped by the receiver: ${msg.reason}`);
  }

  /** Cancel from this side; the receiver is told. */
  cancel(): void {
    if (this.terminal) return;
    this.ctx.sendControl(this.peerId, { type: 'CANCEL', id: this.id, code: 'CANCELLED', reason: 'cancelled by the sender' });
    this.sender?.abort(new EngineError('ERR_CANCELLED', 'cancelled', 'local'));
    void this.finish('cancelled', 'ERR_CANCELLED', 'cancelled by the sender');
  }

  peerOnline(): void {
    if (this.state === 'paused' || this.state === 'verifying') {
      if (this.state === 'verifying') this.state = 'paused';
      void this.resume();
    }
  }

  peerOffline(): void {
    if (this.state === 'offered') this.pause(undefined);
  }

  /** Manager stopping: drop the connection and timers; the journal keeps the transfer for next time. */
  stop(): void {
    this.ctx.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.sender?.abort(new EngineError('ERR_CONNECTION_CLOSED', 'shutting down', 'local'));
  }

  /** Paused; with `retryInMs`, re-offer then (if the peer is online), else when it comes back. */
  private pause(retryInMs: number | undefined, cause?: EngineError): void {
    if (this.terminal) return;
    this.ctx.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const was = this.state;
    this.state = 'paused';
    if (cause && was === 'active' && cause.code !== 'ERR_SOURCE_CHANGED') {
      this.ctx.emit({ type: 'transfer-paused', id: this.id, direction: 'send', code: cause.code, reason: cause.message });
    }
    if (retryInMs !== undefined) this.timer = this.ctx.clock.setTimeout(() => void this.resume(), retryInMs);
    this.ctx.changed();
  }

  private async fail(code: EngineErrorCode, message: string): Promise<void> {
    await this.finish('failed', code, message);
  }

  private async finish(state: EndState, code?: string, message?: string): Promise<void> {
    if (this.terminal) return;
    this.ctx.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.state = state;
    if (code) this.error = { code, message: message ?? code };
    else this.error = undefined;
    if (state !== 'done') this.ctx.emit({ type: 'transfer-failed', id: this.id, direction: 'send', code: code ?? 'ERR_INTERNAL', reason: message ?? '' });
    this.ctx.changed();
    this.settle(state === 'done' ? { ok: true } : { ok: false, code: code ?? 'ERR_INTERNAL', reason: message ?? '' });
    await this.log.append({ op: 'end', id: this.id, state, ...(code ? { code } : {}), ...(message ? { reason: message } : {}) }).catch(() => undefined);
  }
}
