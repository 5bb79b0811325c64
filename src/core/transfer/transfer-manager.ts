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
import { encodeMessage, type Message } from '../../protocol/messages/index.js';
import { CHUNK_SIZE } from '../../protocol/chunk-frame.js';
import { isProtocolError } from '../../protocol/errors.js';
import type { Offer, TransferControlMessage } from '../../protocol/messages/transfer.js';
import { systemClock, systemRandom, type Clock, type Random, type TimerHandle } from '../clock.js';
import type { OfferView, TransferView } from '../engine-api.js';
import { EngineError } from '../errors.js';
import type { RecordLog } from '../record-log.js';
import type { PeerSocket } from '../tls/peer-socket.js';
import { readBulkOpen } from './bulk-open.js';
import { ACCEPTED_IDLE_EXPIRY_MS, BULK_OPEN_TIMEOUT_MS, DEFAULT_OFFER_TIMEOUT_MS, MAX_FINISHED_VIEWS, MAX_OFFER_MANIFEST_BYTES, MAX_PEER_MANIFEST_BYTES, PROGRESS_SAMPLE_MS, WINDOW_CHUNKS } from './constants.js';
import { randomHex, type TransferResult } from './context.js';
import type { TransferEvent } from './events.js';
import { nodeFs, type TransferFs } from './fs-ops.js';
import { ChunkHashCache, type HashCacheRecord } from './hash-cache.js';
import { HashPool } from './hash-pool.js';
import { IncomingTransfer, type IncomingContext } from './incoming.js';
import { finishedToDrop, IdleWatch, IncomingCompactor, peerOverLimits } from './incoming-limits.js';
import { resolveDownloads } from './landing.js';
import { roomIn, spaceShortfall, type Room } from './offer-space.js';
import { checkOffer, manifestBytes } from './offer-check.js';
import { OutgoingTransfer } from './outgoing.js';
import { RateMeter } from './progress.js';
import { HASH_CACHE_LOG, INCOMING_LOG, OUTGOING_LOG, type InRecord, type OutRecord } from './records.js';
import { foldIncoming, foldOutgoing } from './restore.js';
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

/** Ended incoming transfer ids remembered (beyond the views) to answer re-offers. */
const MAX_ENDED_IDS = 1000;
/** Unanswered offers one peer may have open at once (each is a dialog and some memory). */
const MAX_PENDING_OFFERS_PER_PEER = 16;

export class TransferManager {
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly hashPool = new HashPool();
  private readonly outgoing = new Map<string, OutgoingTransfer>();
  private readonly incoming = new Map<string, IncomingTransfer>();
  private readonly meters = new Map<string, RateMeter>();
  private readonly expiry = new Map<string, TimerHandle>();
  /** Room in the downloads folder when each pending offer arrived (the dialog shows it). */
  private readonly offerRoom = new Map<string, number>();
  private readonly online = new Set<DeviceId>();
  /** Ended incoming transfers no longer in views: a re-offer still gets its TRANSFER_DONE (or why it ended), never a second copy. */
  private readonly ended = new Map<string, { peer: DeviceId; reply: Message }>();
  private outLog!: RecordLog<OutRecord>;
  private inLog!: RecordLog<InRecord>;
  private cache!: ChunkHashCache;
  private ctx!: IncomingContext;
  private ticker: TimerHandle | undefined;
  private started = false;
  private idleWatch!: IdleWatch;
  private compactor!: IncomingCompactor;

  constructor(private readonly o: TransferManagerOptions) {
    this.clock = o.clock ?? systemClock;
    this.random = o.random ?? systemRandom;
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
      checkSpace: (t, need) => this.checkSpace(t, need),
    };
    const idleMs = this.o.acceptedIdleMs ?? ACCEPTED_IDLE_EXPIRY_MS;
    this.idleWatch = new IdleWatch(this.clock, idleMs, () => this.incoming.values(), (peer) => this.online.has(peer), (t, ms) => {
      void t.expireIdle(`no data for ${Math.round(ms / 1000)} s after the offer was accepted`);
    });
    this.compactor = new IncomingCompactor(this.inLog, (err) => this.o.onError?.(err instanceof Error ? err : new Error(String(err))));
    await this.restore();
    this.idleWatch.poke();
  }

  /** New offers land in `dir` from now on; transfers already known keep the folder they had. */
  async setDownloadsDir(dir: string): Promise<void> {
    const downloads = await resolveDownloads(dir);
    if (this.started) this.ctx = { ...this.ctx, downloads };
  }

  private async restore(): Promise<void> {
    const out = foldOutgoing(await this.outLog.readAll());
    await this.outLog.rewrite(out.keep);
    for (const r of out.live) {
      this.outgoing.set(r.id, new OutgoingTransfer(this.ctx, this.outLog, { id: r.id, peerId: r.peer, chunkSize: r.chunkSize, files: r.files, dirs: r.dirs, roots: r.roots }));
    }
    const inc = foldIncoming(await this.inLog.readAll());
    await this.inLog.rewrite(inc.keep);
    for (const r of [...inc.finished, ...inc.live]) {
      const offer: Offer = { type: 'OFFER', id: r.id, files: r.files, dirs: [...r.dirs], chunkSize: r.chunkSize, totalBytes: r.files.reduce((s, f) => s + f.size, 0) };
      const t = new IncomingTransfer(this.ctx, this.inLog, this.o.nameOf(r.peer), offer, r.peer, { verified: r.verified, tops: r.tops, published: r.published });
      if (r.end) {
        t.state = r.end.state;
        t.doneMessage = { type: 'TRANSFER_DONE', id: r.id, files: r.files.map((_, i) => ({ path: r.published.get(i) ?? '', root: r.verified.get(i) ?? '' })) };
      }
      t.manifestBytes = manifestBytes(offer);
      this.watchEnd(t);
      this.incoming.set(r.id, t);
      // Everything verified before the stop: publish now (TRANSFER_DONE goes out when the sender is back).
      if (!r.end && r.verified.size === r.files.length) void t.accept();
    }
  }

  /** Stop: connections close, timers stop; unfinished transfers stay in the journals for the next start. */
  async stop(): Promise<void> {
    this.clock.clearInterval(this.ticker);
    this.ticker = undefined;
    this.idleWatch?.stop();
    for (const h of this.expiry.values()) this.clock.clearTimeout(h);
    this.expiry.clear();
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
    try {
      encodeMessage({ type: 'OFFER', id, files: scan.files.map((f) => ({ path: f.rel, size: f.size })), dirs: scan.dirs, chunkSize, totalBytes: scan.totalBytes });
    } catch (err) {
      if (isProtocolError(err)) throw new EngineError('ERR_OFFER_TOO_LARGE', `the list of files is too long to offer at once: ${err.message}`, 'usage', { cause: err });
      throw err;
    }
    const weight = manifestBytes({ files: scan.files.map((f) => ({ path: f.rel, size: f.size })), dirs: scan.dirs });
    if (weight > MAX_OFFER_MANIFEST_BYTES) {
      throw new EngineError('ERR_OFFER_TOO_LARGE', `the list of files is ${weight} bytes, over the ${MAX_OFFER_MANIFEST_BYTES}-byte cap per offer: send it in parts`, 'usage');
    }
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

  /** A transfer control message from `peerId`'s session. */
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
        return void this.onOffer(peerId, msg).catch((err: unknown) => {
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
          this.clearExpiry(msg.id);
          void inc.onCancel(msg);
        }
        return;
      }
    }
  }

  private async onOffer(peerId: DeviceId, raw: Offer): Promise<void> {
    // The per-peer caps first: a peer over them gets BUSY before its paths are validated.
    const busy = this.incoming.has(raw.id) || this.ended.has(raw.id) ? undefined : peerOverLimits(peerId, this.incoming.values(), Math.min(manifestBytes(raw), MAX_OFFER_MANIFEST_BYTES), this.o.policyOf(peerId) === 'auto-accept');
    if (busy) return void this.o.sendControl(peerId, { type: 'OFFER_DENY', id: raw.id, code: 'BUSY', reason: busy });
    const verdict = checkOffer(raw);
    if (!verdict.ok) return void this.o.sendControl(peerId, verdict.deny);
    const offer = verdict.offer;
    const ended = this.ended.get(offer.id);
    if (ended && !this.incoming.has(offer.id)) {
      if (ended.peer === peerId) this.o.sendControl(peerId, ended.reply);
      return;
    }
    const existing = this.incoming.get(offer.id);
    if (existing) {
      if (existing.peerId !== peerId) return void this.o.sendControl(peerId, { type: 'OFFER_DENY', id: offer.id, code: 'BAD_OFFER', reason: 'transfer id in use' });
      return existing.reoffer(offer);
    }
    if (this.outgoing.get(offer.id)?.peerId === peerId) return void this.o.sendControl(peerId, { type: 'OFFER_DENY', id: offer.id, code: 'BAD_OFFER', reason: 'transfer id in use' });
    const pending = [...this.incoming.values()].filter((t) => t.peerId === peerId && !t.isAccepted && !t.terminal).length;
    if (pending >= MAX_PENDING_OFFERS_PER_PEER) return void this.o.sendControl(peerId, { type: 'OFFER_DENY', id: offer.id, code: 'BUSY', reason: `${pending} offers from you are still waiting for an answer` });
    const t = new IncomingTransfer(this.ctx, this.inLog, this.o.nameOf(peerId), offer, peerId);
    t.manifestBytes = verdict.manifestBytes;
    this.incoming.set(offer.id, t);
    void t.result.then(() => this.clearExpiry(offer.id));
    this.watchEnd(t);
    if (this.o.policyOf(peerId) === 'auto-accept') {
      await t.accept();
      this.idleWatch.poke();
    } else {
      // Nobody is asked about an offer that cannot fit: it is refused, and the sender told why.
      const room = await this.roomFor(t);
      const short = spaceShortfall(t.bytesTotal, room, this.ctx.downloads);
      if (short) {
        await t.refuseForSpace(short);
        this.changed();
        return;
      }
      this.offerRoom.set(offer.id, room.room);
      this.expiry.set(offer.id, this.clock.setTimeout(() => void this.expire(offer.id), this.ctx.offerTimeoutMs));
      this.o.emit({ type: 'offer-received', id: offer.id, deviceId: peerId, name: this.o.nameOf(peerId), files: offer.files.map((f) => ({ ...f })), dirs: [...offer.dirs], total: offer.totalBytes });
    }
    this.tick();
    this.changed();
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
    this.clearExpiry(offerId);
    void (accept ? t.accept().then(() => this.idleWatch.poke()) : t.cancel());
  }

  /** Cancel a transfer in either direction (or decline a pending offer); the peer is told. */
  cancel(id: string): void {
    const out = this.outgoing.get(id);
    if (out) return out.cancel();
    const inc = this.incoming.get(id);
    if (!inc) throw new EngineError('ERR_TRANSFER_UNKNOWN', `no transfer ${id}`, 'usage');
    this.clearExpiry(id);
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
      out.push(viewOf(t, this.o.nameOf(t.peerId), this.meters.get(t.id)));
    }
    return out;
  }

  offers(): OfferView[] {
    return [...this.incoming.values()]
      .filter((t) => !t.isAccepted && t.state === 'offered')
      .map((t) => offerViewOf(t, this.o.nameOf(t.peerId), this.offerRoom.get(t.id), this.ctx.downloads));
  }

  // ---------------------------------------------------------------- internals

  private async roomFor(t: IncomingTransfer): Promise<Room> {
    let promised = 0;
    for (const other of this.incoming.values()) {
      if (other !== t && other.isAccepted && !other.terminal) promised += Math.max(0, other.bytesTotal - other.bytesDone);
    }
    return roomIn(this.ctx.downloads, promised, this.o.reserveBytes);
  }

  private async checkSpace(t: IncomingTransfer, need: number): Promise<string | undefined> {
    return spaceShortfall(need, await this.roomFor(t), this.ctx.downloads);
  }

  /** When an accepted transfer ends, its records can leave the journal; its manifest leaves memory with the prune. */
  private watchEnd(t: IncomingTransfer): void {
    void t.result.then(() => {
      if (!t.isAccepted) return;
      this.compactor.request();
      this.prune();
    });
  }

  private async expire(id: string): Promise<void> {
    this.expiry.delete(id);
    await this.incoming.get(id)?.expire();
  }

  private clearExpiry(id: string): void {
    this.offerRoom.delete(id);
    this.clock.clearTimeout(this.expiry.get(id));
    this.expiry.delete(id);
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
    if (this.ticker) return;
    this.ticker = this.clock.setInterval(() => this.sample(), PROGRESS_SAMPLE_MS);
  }

  private sample(): void {
    const now = this.clock.now();
    let moving = false;
    let any = false;
    for (const t of [...this.outgoing.values(), ...this.incoming.values()] as Transfer[]) {
      if (t.terminal) {
        this.meters.delete(t.id);
        continue;
      }
      if (t.state !== 'active' && t.state !== 'verifying') continue;
      any = true;
      let m = this.meters.get(t.id);
      if (!m) this.meters.set(t.id, (m = new RateMeter()));
      if (m.sample(t.bytesDone, now)) {
        moving = true;
        this.o.emit({ type: 'transfer-progress', id: t.id, bytes: t.bytesDone, total: t.bytesTotal });
      }
    }
    this.prune();
    if (moving) this.o.onChange();
    if (!any) {
      this.clock.clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  private prune(): void {
    for (const map of [this.outgoing, this.incoming] as Array<Map<string, Transfer>>) {
      const finished = [...map.values()].filter((t) => t.terminal);
      const drop = finishedToDrop(finished, MAX_FINISHED_VIEWS, map === this.incoming ? MAX_PEER_MANIFEST_BYTES : Infinity);
      for (const t of finished.slice(0, drop)) {
        map.delete(t.id);
        if (t.direction === 'receive' && t.isAccepted) this.ended.set(t.id, { peer: t.peerId, reply: t.endReply() });
      }
    }
    for (const id of [...this.ended.keys()].slice(0, Math.max(0, this.ended.size - MAX_ENDED_IDS))) this.ended.delete(id);
  }
}
