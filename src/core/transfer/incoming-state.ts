/**
 * What one receiving transfer is (its files, state, progress counters, the
 * result promise) and how it ends: pause, refuse for space, cancel, deny,
 * expire, fail, finish, with the journal's 'end' record and the sender told.
 * The receiving flow itself (accept, resume, data, verify, publish) is
 * IncomingTransfer in incoming.ts, built on this.
 */
import type { DeviceId } from '../../protocol/device-id.js';
import type { Cancel, Offer, TransferDone } from '../../protocol/messages/transfer.js';
import type { TransferState } from '../engine-api.js';
import { EngineError, type EngineErrorCode } from '../errors.js';
import type { RecordLog } from '../record-log.js';
import type { BulkReceiver } from './bulk-receiver.js';
import type { TransferContext, TransferResult } from './context.js';
import { CANCEL_TO_ERROR } from './outgoing.js';
import type { PartialDir } from './partial.js';
import type { EndState, InRecord } from './records.js';

export interface IncomingContext extends TransferContext {
  /** Real path of the downloads folder. */
  readonly downloads: string;
  /** Undefined if `need` more bytes fit (counting other running transfers and the reserve), else why not. */
  checkSpace(t: IncomingTransferState, need: number): Promise<string | undefined>;
}

const TERMINAL: ReadonlySet<TransferState> = new Set(['done', 'failed', 'cancelled', 'denied']);

/** Persisted progress of a transfer being restored from the journal. */
export interface IncomingRestore {
  readonly verified: Map<number, string>;
  readonly tops: Map<string, string>;
  readonly published: Map<number, string>;
}

export class IncomingTransferState {
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
  protected readonly tops: Map<string, string>;
  protected readonly published: Map<number, string>;
  protected accepted: boolean;
  protected bulk: BulkReceiver | undefined;
  protected verifiedBytes = 0;
  protected liveBytes = 0;
  protected finalizing = 0;
  protected readonly finalizeQueue: Array<{ file: number; root: Buffer }> = [];
  protected idle: Array<() => void> = [];
  protected publishing: Promise<void> | undefined;
  private settle!: (r: TransferResult) => void;
  readonly result: Promise<TransferResult>;
  /** Kept after the end, so a re-offer of a finished transfer gets its TRANSFER_DONE again. */
  doneMessage: TransferDone | undefined;
  /** What its file list weighs (offer-check.ts manifestBytes), for the per-peer caps. */
  manifestBytes = 0;

  constructor(
    protected readonly ctx: IncomingContext,
    protected readonly log: RecordLog<InRecord>,
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

  /** Refuse (a fresh offer: the sender is told why) or pause (accepted: it resumes when there is room). */
  async refuseForSpace(reason: string): Promise<void> {
    if (!this.accepted) {
      this.ctx.sendControl(this.peerId, { type: 'OFFER_DENY', id: this.id, code: 'NO_SPACE', reason });
      await this.finish('failed', 'ERR_NO_SPACE', reason);
      return;
    }
    this.pause('NO_SPACE', 'ERR_NO_SPACE', reason);
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

  protected whenIdle(): Promise<void> {
    if (this.finalizing === 0 && this.finalizeQueue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  protected async closeBulk(): Promise<void> {
    const bulk = this.bulk;
    if (!bulk) return;
    bulk.fail(new EngineError('ERR_CONNECTION_CLOSED', 'bulk connection replaced', 'local'));
    await bulk.finished;
  }

  protected pause(wire: 'NO_SPACE' | 'IO_ERROR' | 'VERIFY_FAILED', code: EngineErrorCode, message: string): void {
    if (this.terminal) return;
    this.state = 'paused';
    this.error = { code, message };
    this.ctx.sendControl(this.peerId, { type: 'TRANSFER_PAUSE', id: this.id, code: wire, reason: message.slice(0, 200) });
    this.bulk?.fail(new EngineError(code, message, 'retryable'));
    this.ctx.emit({ type: 'transfer-paused', id: this.id, direction: 'receive', code, reason: message });
    this.ctx.changed();
  }

  /** Stop for good with `wire` told to the sender. */
  protected async stopWith(wire: Cancel['code'], code: EngineErrorCode, message: string): Promise<void> {
    if (this.terminal) return;
    this.ctx.sendControl(this.peerId, { type: 'CANCEL', id: this.id, code: wire, reason: message.slice(0, 200) });
    await this.end('failed', code, message);
  }

  /** End and clean up: nothing stays under a final name that was not there (publishing is all or nothing per file). */
  protected async end(state: EndState, code: EngineErrorCode, message: string): Promise<void> {
    const wasTerminal = this.terminal;
    await this.finish(state, code, message);
    if (wasTerminal) return;
    await this.closeBulk();
    await this.whenIdle();
    await this.partial?.remove().catch(() => undefined);
  }

  protected async finish(state: EndState, code?: string, message?: string): Promise<void> {
    if (this.terminal) return;
    this.state = state;
    this.error = code ? { code, message: message ?? code } : undefined;
    if (state !== 'done') this.ctx.emit({ type: 'transfer-failed', id: this.id, direction: 'receive', code: code ?? 'ERR_INTERNAL', reason: message ?? '' });
    this.settle(state === 'done' ? { ok: true } : { ok: false, code: code ?? 'ERR_INTERNAL', reason: message ?? '' });
    this.ctx.changed();
    if (this.accepted) await this.log.append({ op: 'end', id: this.id, state, ...(code ? { code } : {}), ...(message ? { reason: message } : {}) }).catch(() => undefined);
  }
}
