/**
 * TransferManager: the one object the engine owns for file transfers, both
 * directions. The engine feeds it control messages from sessions, inbound bulk
 * connections and peer online/offline changes; it answers through
 * `sendControl` and `dialBulk`, persists through `openLog`, and reports
 * through `emit` (discrete events) and `onChange` + `views()`/`offers()`
 * (sampled state, PROGRESS_SAMPLE_MS).
 *
 * Contract with the engine:
 * - `peerOnline(id)` when a session with a pinned peer is ready, `peerOffline(id)`
 *   when it closes. Offers go only to online peers (`offer` throws ERR_PEER_OFFLINE:
 *   the engine queues it in its outbox instead).
 * - `handleControl(id, msg)` for every transfer control message
 *   (isTransferControl(msg)) from that peer's session.
 * - `handleBulk(socket)` for every inbound connection with ALPN peerdeck-bulk/1
 *   from a pinned peer; `dialBulk(id)` dials the peer with that ALPN, pinned.
 */
import type { DeviceId } from '../../protocol/device-id.js';
import type { Message } from '../../protocol/messages/index.js';
import { CHUNK_SIZE } from '../../protocol/chunk-frame.js';
import type { TransferControlMessage } from '../../protocol/messages/transfer.js';
import { systemClock, systemRandom, type Clock, type Random } from '../clock.js';
import type { OfferView, TransferView } from '../engine-api.js';
import { EngineError } from '../errors.js';
import type { RecordLog } from '../record-log.js';
import type { PeerSocket } from '../tls/peer-socket.js';
import { readBulkOpen } from './bulk-open.js';
import { ACCEPTED_IDLE_EXPIRY_MS, BULK_OPEN_TIMEOUT_MS, DEFAULT_OFFER_TIMEOUT_MS, MAX_FINISHED_VIEWS, MAX_PEER_MANIFEST_BYTES, WINDOW_CHUNKS } from './constants.js';
import { randomHex, type TransferResult } from './context.js';
import type { TransferEvent } from './events.js';
import { nodeFs, type TransferFs } from './fs-ops.js';
import { ChunkHashCache, type HashCacheRecord } from './hash-cache.js';
import { HashPool } from './hash-pool.js';
import type { IncomingContext, IncomingTransfer } from './incoming.js';
import { finishedToDrop, IdleWatch, IncomingCompactor } from './incoming-limits.js';
import { resolveDownloads } from './landing.js';
import { OfferIntake } from './offer-intake.js';
import { assertOfferFits } from './offer-size.js';
import { OutgoingTransfer } from './outgoing.js';
import { ProgressSampler } from './progress-sampler.js';
import { HASH_CACHE_LOG, INCOMING_LOG, OUTGOING_LOG, type InRecord, type OutRecord } from './records.js';
import { restoreTransfers } from './restore-transfers.js';
import { scanSources, type ScanResult } from './scan.js';
import { offerViewOf, viewOf } from './views.js';

export interface TransferManagerOptions {
  readonly selfId: DeviceId;
  readonly downloadsDir: string;
  sendControl(peerId: DeviceId, msg: Message): boolean;
  dialBulk(peerId: DeviceId): Promise<PeerSocket>;
  policyOf(peerId: DeviceId): 'ask' | 'auto-accept';
  nameOf(peerId: DeviceId): string;
  openLog<T>(name: string): Promise<RecordLog<T>>;
  onChange(): void;
  emit(event: TransferEvent): void;
  /** A background failure no transfer could report (e.g. the journal failed while handling a message). */
  onError?(err: Error): void;
  readonly clock?: Clock;
  readonly random?: Random;
  /** How long an offer waits for an answer (settings.offerTimeoutMs). */
  readonly offerTimeoutMs?: number;
  // ---- tuning and test seams
  readonly fs?: TransferFs;
  readonly chunkSize?: number;
  readonly windowChunks?: number;
  /** Free bytes always kept back (default max(1 %, 64 MiB)). */
  readonly reserveBytes?: number;
  /** Accepted transfers with no data this long while the peer is online are ended (default ACCEPTED_IDLE_EXPIRY_MS). */
  readonly acceptedIdleMs?: number;
}

type Transfer = OutgoingTransfer | IncomingTransfer;

export class TransferManager {
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly hashPool = new HashPool();
  private readonly outgoing = new Map<string, OutgoingTransfer>();
  private readonly incoming = new Map<string, IncomingTransfer>();
  private readonly online = new Set<DeviceId>();
  private outLog!: RecordLog<OutRecord>;
  private inLog!: RecordLog<InRecord>;
  private cache!: ChunkHashCache;
  private ctx!: IncomingContext;
  private started = false;
  private idleWatch!: IdleWatch;
  private compactor!: IncomingCompactor;
  private readonly intake: OfferIntake;
  private readonly sampler: ProgressSampler;

  constructor(private readonly o: TransferManagerOptions) {
    this.clock = o.clock ?? systemClock;
    this.random = o.random ?? systemRandom;
    this.sampler = new ProgressSampler(this.clock, {
      transfers: () => [...this.outgoing.values(), ...this.incoming.values()],
      emit: (e) => o.emit(e),
      sampled: () => this.prune(),
      moved: () => o.onChange(),
    });
    this.intake = new OfferIntake({
      clock: this.clock,
      incoming: this.incoming,
      outgoing: this.outgoing,
      ctx: () => this.ctx,
      inLog: () => this.inLog,
      reserveBytes: o.reserveBytes,
      sendControl: (peer, msg) => o.sendControl(peer, msg),
      policyOf: (peer) => o.policyOf(peer),
      nameOf: (peer) => o.nameOf(peer),
      emit: (e) => o.emit(e),
      adopted: (t) => this.watchEnd(t),
      accepted: () => this.idleWatch.poke(),
      tick: () => this.tick(),
      changed: () => this.changed(),
    });
  }

  /** Open the journals and restore what was running (paused until its peer is online). */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const downloads = await resolveDownloads(this.o.downloadsDir);
    this.outLog = await this.o.openLog<OutRecord>(OUTGOING_LOG);
    this.inLog = await this.o.openLog<InRecord>(INCOMING_LOG);
    this.cache = new ChunkHashCache(await this.o.openLog<HashCacheRecord>(HASH_CACHE_LOG));
    await this.cache.open();
    this.ctx = {
      clock: this.clock,
      random: this.random,
      fs: this.o.fs ?? nodeFs,
      hashPool: this.hashPool,
      cache: this.cache,
      windowChunks: this.o.windowChunks ?? WINDOW_CHUNKS,
      offerTimeoutMs: this.o.offerTimeoutMs ?? DEFAULT_OFFER_TIMEOUT_MS,
      downloads,
      sendControl: (peer, msg) => this.o.sendControl(peer, msg),
      dialBulk: (peer) => this.o.dialBulk(peer),
      isOnline: (peer) => this.online.has(peer),
      nameOf: (peer) => this.o.nameOf(peer),
      emit: (e) => this.o.emit(e),
      changed: () => this.changed(),
      checkSpace: (t, need) => this.intake.checkSpace(t, need),
    };
    const idleMs = this.o.acceptedIdleMs ?? ACCEPTED_IDLE_EXPIRY_MS;
    this.idleWatch = new IdleWatch(this.clock, idleMs, () => this.incoming.values(), (peer) => this.online.has(peer), (t, ms) => {
      void t.expireIdle(`no data for ${Math.round(ms / 1000)} s after the offer was accepted`);
    });
    this.compactor = new IncomingCompactor(this.inLog, (err) => this.o.onError?.(err instanceof Error ? err : new Error(String(err))));
    await restoreTransfers(this.ctx, this.outLog, this.inLog, (peer) => this.o.nameOf(peer), {
      outgoing: (t) => void this.outgoing.set(t.id, t),
      incoming: (t, publishNow) => {
        this.watchEnd(t);
        this.incoming.set(t.id, t);
        // Everything verified before the stop: publish now (TRANSFER_DONE goes out when the sender is back).
        if (publishNow) void t.accept();
      },
    });
    this.idleWatch.poke();
  }

  /** New offers land in `dir` from now on; transfers already known keep the folder they had. */
  async setDownloadsDir(dir: string): Promise<void> {
    const downloads = await resolveDownloads(dir);
    if (this.started) this.ctx = { ...this.ctx, downloads };
  }

  /** Stop: connections close, timers stop; unfinished transfers stay in the journals for the next start. */
  async stop(): Promise<void> {
    this.sampler.stop();
    this.idleWatch?.stop();
    this.intake.stop();
    for (const t of this.outgoing.values()) t.stop();
    await Promise.all([...this.incoming.values()].map((t) => t.stop()));
    await this.compactor?.idle();
    await this.hashPool.close();
  }

  // ---------------------------------------------------------------- sending

  /** A transfer is coming (e.g. a send was queued): get the hash worker booting. */
  expectTransfer(): void {
    if (this.started) this.hashPool.warm();
  }

  /** What `paths` would offer (validated, capped), without sending anything. */
  scan(paths: readonly string[]): Promise<ScanResult> {
    return scanSources(paths);
  }

  /**
   * Offer files and folders to a peer. Throws EngineError: ERR_BAD_SOURCE,
   * ERR_BAD_PATH, ERR_OFFER_TOO_LARGE (nothing sent) or ERR_PEER_OFFLINE.
   */
  async offer(peerId: DeviceId, paths: readonly string[], opts: { transferId?: string } = {}): Promise<{ transferId: string; skipped: ScanResult['skipped'] }> {
    this.requireStarted();
    this.hashPool.warm();
    const scan = await this.scan(paths);
    // The engine passes its outbox item's id, so a queued send and its transfer are one thing.
    const id = opts.transferId ?? randomHex(this.random, 16);
    if (this.outgoing.has(id) || this.incoming.has(id)) throw new EngineError('ERR_INTERNAL', `transfer ${id} exists already`, 'local');
    const chunkSize = this.o.chunkSize ?? CHUNK_SIZE;
    const t = new OutgoingTransfer(this.ctx, this.outLog, { id, peerId, chunkSize, files: scan.files, dirs: scan.dirs, roots: scan.roots });
    assertOfferFits(id, scan, chunkSize);
    await t.start();
    this.outgoing.set(id, t);
    this.tick();
    return { transferId: id, skipped: scan.skipped };
  }

  /** Re-offer a paused outgoing transfer now (the dashboard's "retry"). */
  retry(id: string): void {
    void this.outgoing.get(id)?.resume();
  }

  // ---------------------------------------------------------------- from the engine

  /**
   * A transfer control message from `peerId`. Returns false when it is an OFFER_ACCEPT for an
   * offer we never made to that peer (the caller treats that as a protocol error).
   */
  handleControl(peerId: DeviceId, msg: TransferControlMessage): boolean {
    if (msg.type === 'OFFER_ACCEPT' && this.started) {
      const out = this.outgoing.get(msg.id);
      if (!out || out.peerId !== peerId) return false;
    }
    this.dispatchControl(peerId, msg);
    return true;
  }

  private dispatchControl(peerId: DeviceId, msg: TransferControlMessage): void {
    if (!this.started) return;
    const out = this.outgoing.get(msg.id);
    const mine = out && out.peerId === peerId ? out : undefined;
    switch (msg.type) {
      case 'OFFER':
        this.hashPool.warm(); // boots while the offer is answered
        return void this.intake.onOffer(peerId, msg).catch((err: unknown) => {
          this.o.sendControl(peerId, { type: 'OFFER_DENY', id: msg.id, code: 'BUSY', reason: 'the receiver could not take the offer now' });
          this.o.onError?.(err instanceof Error ? err : new Error(String(err)));
        });
      case 'OFFER_ACCEPT':
        return void mine?.onAccept(msg);
      case 'OFFER_DENY':
        return mine?.onDeny(msg);
      case 'TRANSFER_DONE':
        return mine?.onDone(msg);
      case 'TRANSFER_PAUSE':
        return mine?.onPause(msg);
      case 'CANCEL': {
        mine?.onCancel(msg);
        const inc = this.incoming.get(msg.id);
        if (inc && inc.peerId === peerId) {
          this.intake.clearExpiry(msg.id);
          void inc.onCancel(msg);
        }
        return;
      }
    }
  }

  /** An inbound bulk connection (already authenticated as a pinned peer). */
  handleBulk(socket: PeerSocket): void {
    void readBulkOpen(socket, this.clock, BULK_OPEN_TIMEOUT_MS).then(
      ({ open, rest }) => {
        const t = this.incoming.get(open.id);
        if (!t || !t.attachBulk(socket, open.token, rest)) {
          socket.close(new EngineError('ERR_TRANSFER_PROTOCOL', 'unknown transfer or token', 'peer-fault'));
        }
      },
      () => undefined, // already closed with the reason
    );
  }

  /** Answer a pending offer (the dialog's y/n). */
  answer(offerId: string, accept: boolean): void {
    const t = this.incoming.get(offerId);
    if (!t || t.isAccepted || t.terminal) return;
    this.intake.clearExpiry(offerId);
    void (accept ? t.accept().then(() => this.idleWatch.poke()) : t.cancel());
  }

  /** Cancel a transfer in either direction (or decline a pending offer); the peer is told. */
  cancel(id: string): void {
    const out = this.outgoing.get(id);
    if (out) return out.cancel();
    const inc = this.incoming.get(id);
    if (!inc) throw new EngineError('ERR_TRANSFER_UNKNOWN', `no transfer ${id}`, 'usage');
    this.intake.clearExpiry(id);
    void inc.cancel();
  }

  peerOnline(peerId: DeviceId): void {
    this.online.add(peerId);
    for (const t of this.outgoing.values()) if (t.peerId === peerId) t.peerOnline();
    for (const t of this.incoming.values()) if (t.peerId === peerId) t.peerOnline();
  }

  peerOffline(peerId: DeviceId): void {
    this.online.delete(peerId);
    for (const t of this.outgoing.values()) if (t.peerId === peerId) t.peerOffline();
  }

  /** Resolves when the transfer ends: ok only once the receiver confirmed every file verified and published. */
  waitFor(transferId: string): Promise<TransferResult> {
    const t = this.outgoing.get(transferId) ?? this.incoming.get(transferId);
    if (!t) return Promise.resolve({ ok: false, code: 'ERR_TRANSFER_UNKNOWN', reason: `no transfer ${transferId}` });
    return t.result;
  }

  // ---------------------------------------------------------------- views

  /** Whether a transfer with this id exists, in either direction (cheaper than building views). */
  has(id: string): boolean {
    return this.outgoing.has(id) || this.incoming.has(id);
  }

  views(): TransferView[] {
    const out: TransferView[] = [];
    for (const t of [...this.outgoing.values(), ...this.incoming.values()]) {
      if (t.direction === 'receive' && !t.isAccepted && t.state === 'offered') continue; // a pending offer: offers()
      out.push(viewOf(t, this.o.nameOf(t.peerId), this.sampler.meter(t.id)));
    }
    return out;
  }

  offers(): OfferView[] {
    return [...this.incoming.values()]
      .filter((t) => !t.isAccepted && t.state === 'offered')
      .map((t) => offerViewOf(t, this.o.nameOf(t.peerId), this.intake.roomOf(t.id), this.ctx.downloads));
  }

  // ---------------------------------------------------------------- internals

  /** When an accepted transfer ends, its records can leave the journal; its manifest leaves memory with the prune. */
  private watchEnd(t: IncomingTransfer): void {
    void t.result.then(() => {
      if (!t.isAccepted) return;
      this.compactor.request();
      this.prune();
    });
  }

  private requireStarted(): void {
    if (!this.started || !this.ctx) throw new EngineError('ERR_INTERNAL', 'transfer manager not started', 'local');
  }

  private changed(): void {
    this.tick();
    this.o.onChange();
  }

  /** Run the progress sampler while anything moves; forget old finished transfers. */
  private tick(): void {
    this.sampler.tick();
  }

  private prune(): void {
    for (const map of [this.outgoing, this.incoming] as Array<Map<string, Transfer>>) {
      const finished = [...map.values()].filter((t) => t.terminal);
      const drop = finishedToDrop(finished, MAX_FINISHED_VIEWS, map === this.incoming ? MAX_PEER_MANIFEST_BYTES : Infinity);
      for (const t of finished.slice(0, drop)) {
        map.delete(t.id);
        if (t.direction === 'receive' && t.isAccepted) this.intake.remember(t.id, t.peerId, t.endReply());
      }
    }
    this.intake.trimEnded();
  }
}
