/**
 * The engine: one per identity. It owns the TLS listener, discovery, sessions
 * with trusted peers, pairing, chat and the outbox, and publishes one immutable
 * snapshot (≤ 10 per second) plus typed events. The dashboard and the headless
 * commands drive it through the same methods.
 */
import { shortId, type DeviceId } from '../../protocol/device-id.js';
import { systemClock, systemRandom, type Clock, type Random } from '../clock.js';
import type { EngineHandle, EngineSnapshot, Notice, NoticeLevel, PathCheck } from '../engine-api.js';
import { EngineError } from '../errors.js';
import { ChatHistory, type ChatRecord } from '../chat/chat-history.js';
import { ChatService } from '../chat/chat-service.js';
import { chatPeerService } from '../chat/chat-peer-service.js';
import { ConnectionLayer } from '../connections/connection-layer.js';
import { ServiceRegistry } from '../connections/service.js';
import { outboxPeerService } from '../outbox/outbox-peer-service.js';
import { pairingAlpnHandler } from '../pairing/pairing-alpn.js';
import { bulkAlpnHandler, transferPeerService } from '../transfer/transfer-peer-service.js';
import { Outbox, type OutboxItem, type OutboxRecord } from '../outbox/outbox.js';
import { outboxEntry, type OutboxEntry } from '../outbox/outbox-entry.js';
import { PairingManager } from '../pairing/pairing-manager.js';
import type { RecordLog } from '../record-log.js';
import type { PinnedPeer } from '../../store/store.js';
import { ALPN_BULK, ALPN_PAIRING } from '../tls/tls-options.js';
import { TransferManager } from '../transfer/transfer-manager.js';
import { FileSends } from './file-sends.js';
import { TypedEmitter } from '../typed-emitter.js';
import type { EngineEventMap } from './events.js';
import { checkLocalPath, completeLocalPath } from './local-paths.js';
import { SnapshotPublisher } from './snapshot-publisher.js';

export { RECONNECT_BACKOFF_MS } from '../connections/redialer.js';
/** `send` without --wait: how long to try reaching the peer before leaving the send queued. */
export const SEND_CONNECT_WAIT_MS = 5_000;
/** Notices stay in the snapshot this long. */
export const NOTICE_TTL_MS = 8_000;
const MAX_NOTICES = 20;

export type { PinnedPeer };

/** What the engine needs from the store (core → store through its interface). */
export interface EngineStore {
  listPins(): PinnedPeer[];
  getPin(id: DeviceId): PinnedPeer | undefined;
  putPin(pin: PinnedPeer): void;
  removePin(id: DeviceId): boolean;
  openLog<T>(name: string): Promise<RecordLog<T>>;
}

export interface EngineIdentity {
  deviceId: DeviceId;
  certPem: string;
  keyPem: string;
}

export interface EngineOptions {
  identity: EngineIdentity;
  store: EngineStore;
  name: string;
  /** Accept connections (null: a private one-shot engine that only dials out). */
  listen: { host: string; port: number } | null;
  /** LAN discovery (null: off). */
  discovery: { port: number; broadcast?: string[] } | null;
  staticPeers?: { host: string; port: number }[];
  clock?: Clock;
  random?: Random;
  /** Pairing requests time out after this (default PAIRING_TIMEOUT_MS). */
  pairingTimeoutMs?: number;
  /** Where received files are published (created if missing). */
  downloadsDir: string;
  /** How long a sent offer waits for the receiver's answer. */
  offerTimeoutMs?: number;
}

export class Engine implements EngineHandle {
  readonly events = new TypedEmitter<EngineEventMap>();
  readonly selfId: DeviceId;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly publisher: SnapshotPublisher<EngineSnapshot>;
  private readonly connections: ConnectionLayer;
  private readonly services = new ServiceRegistry();
  private readonly pairing: PairingManager;
  private chat!: ChatService;
  private history!: ChatHistory;
  private outbox!: Outbox;
  private transfers!: TransferManager;
  private sends!: FileSends;
  private notices: Notice[] = [];
  private noticeSeq = 0;
  private stopping = false;
  private started = false;

  constructor(private readonly o: EngineOptions) {
    this.selfId = o.identity.deviceId;
    this.clock = o.clock ?? systemClock;
    this.random = o.random ?? systemRandom;
    this.connections = new ConnectionLayer({
      selfId: this.selfId,
      identity: { certPem: o.identity.certPem, keyPem: o.identity.keyPem },
      name: () => this.o.name,
      listen: o.listen,
      discovery: o.discovery ? { name: o.name, ...o.discovery } : null,
      staticPeers: o.staticPeers ?? [],
      clock: this.clock,
      random: this.random,
      pins: o.store,
      events: {
        listening: (address, port) => this.events.emit('listening', { address, port }),
        discovered: (e) => this.events.emit('peer-discovered', e),
        left: (id) => this.events.emit('peer-left', { deviceId: id, name: this.nameOf(id) }),
        certChanged: (e, text) => {
          this.events.emit('cert-changed', e);
          this.notice('error', text);
        },
        notice: (level, text) => this.notice(level, text),
        sessionUp: (id, address, wasOnline) => this.sessionUp(id, address, wasOnline),
        sessionDown: (id, reason) => this.sessionDown(id, reason),
        message: (id, m, reply) => {
          this.services.route(id, m, reply);
        },
        changed: (urgent) => this.changed(urgent),
        error: (err) => this.backgroundError(err),
      },
    });
    this.pairing = new PairingManager({
      selfId: this.selfId,
      selfName: () => this.o.name,
      clock: this.clock,
      random: this.random,
      ...(o.pairingTimeoutMs ? { timeoutMs: o.pairingTimeoutMs } : {}),
      dial: (host, port, expectedDeviceId) => this.connections.dial(host, port, ALPN_PAIRING, expectedDeviceId),
      onChange: () => this.changed(true),
      onCode: (v) => {
        this.events.emit('pair-request', { pairingId: v.id, deviceId: v.peerId, name: v.peerName, address: v.address, code: v.code ?? '', direction: v.direction });
      },
      onDone: (v, r) => this.pairingDone(v.id, v.peerId, v.peerName, v.direction === 'outgoing' ? v.address : undefined, r),
    });
    this.connections.handle(ALPN_PAIRING, pairingAlpnHandler(this.pairing));
    this.publisher = new SnapshotPublisher<EngineSnapshot>(this.buildSnapshot(), this.clock, undefined, () => this.buildSnapshot());
  }

  // ---------------------------------------------------------------- lifecycle

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.history = new ChatHistory(await this.o.store.openLog<ChatRecord>('chat'));
    await this.history.open();
    this.outbox = new Outbox(await this.o.store.openLog<OutboxRecord>('outbox'), this.clock, this.random);
    await this.outbox.open();
    this.chat = new ChatService({
      history: this.history,
      outbox: this.outbox,
      clock: this.clock,
      random: this.random,
      sendToPeer: (id, msg) => this.sendToPeer(id, msg),
      wantPeer: (id) => this.connections.want(id, 0),
      onReceived: (id, m) => this.events.emit('chat-received', { deviceId: id, name: this.nameOf(id), id: m.id, text: m.text, at: m.at }),
      onDelivered: (id, mid) => {
        this.events.emit('chat-delivered', { deviceId: id, id: mid });
        this.events.emit('outbox-delivered', { id: mid, deviceId: id, kind: 'chat' });
      },
      onChange: () => this.changed(),
      onError: (err) => this.backgroundError(err),
    });
    this.outbox.subscribe(() => this.changed());
    this.transfers = new TransferManager({
      selfId: this.selfId,
      downloadsDir: this.o.downloadsDir,
      clock: this.clock,
      random: this.random,
      ...(this.o.offerTimeoutMs ? { offerTimeoutMs: this.o.offerTimeoutMs } : {}),
      sendControl: (id, msg) => this.sendToPeer(id, msg),
      dialBulk: (id) => this.connections.dialPeer(id, ALPN_BULK),
      policyOf: (id) => this.o.store.getPin(id)?.policy ?? 'ask',
      nameOf: (id) => this.nameOf(id),
      openLog: (name) => this.o.store.openLog(name),
      onChange: () => this.changed(),
      emit: (e) => {
        const { type, ...payload } = e;
        this.events.emit(type, payload as never);
      },
    });
    await this.transfers.start();
    this.sends = new FileSends({
      transfers: this.transfers,
      outbox: this.outbox,
      clock: this.clock,
      random: this.random,
      isOnline: (id) => this.connections.isOnline(id),
      wantPeer: (id) => this.connections.want(id, 0),
      nameOf: (id) => this.nameOf(id),
      onError: (err) => this.backgroundError(err),
      onDelivered: (item) => this.events.emit('outbox-delivered', { id: item.id, deviceId: item.peerId, kind: item.kind }),
    });

    this.connections.handle(ALPN_BULK, bulkAlpnHandler(this.transfers, (id) => !!this.o.store.getPin(id)));
    // Registration order is the order services hear a peer come online or go offline.
    this.services.register(chatPeerService(this.chat, (p) => this.bg(p)));
    this.services.register(transferPeerService(this.transfers));
    this.services.register(outboxPeerService(this.outbox));
    await this.connections.start();
    this.outbox.start((item) => this.deliver(item));
    this.connections.connectAll();
    this.changed(true);
  }

  async shutdown(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.connections.beginStop();
    this.pairing.abortAll();
    this.outbox?.stop();
    this.chat?.stop();
    await this.transfers?.stop().catch(() => {});
    await this.connections.close();
    this.publisher.dispose();
  }

  // ---------------------------------------------------------------- EngineHandle

  subscribe = (fn: () => void): (() => void) => this.publisher.subscribe(fn);
  getSnapshot = (): EngineSnapshot => this.publisher.getSnapshot();

  /** The snapshot as of now (headless callers don't wait for the publish tick). */
  snapshotNow(): EngineSnapshot {
    return this.buildSnapshot();
  }

  get port(): number {
    return this.connections.port;
  }

  /** Dials whose certificate did not match what discovery announced (quiet, counted). */
  get hintMismatches(): number {
    return this.connections.hintMismatches;
  }

  /** The peer directory (tests look at live sessions through it). */
  private get dir() {
    return this.connections.dir;
  }

  async sendChat(peerId: DeviceId, text: string): Promise<void> {
    await this.queueChat(peerId, text);
  }

  /** Queue a chat message; returns its id once it is on disk. */
  async queueChat(peerId: DeviceId, text: string): Promise<{ id: string }> {
    this.requirePinned(peerId);
    const r = await this.chat.send(peerId, text);
    this.events.emit('chat-queued', { deviceId: peerId, id: r.id });
    return r;
  }

  /** Resolves true once the message is acknowledged, false after `ms`. */
  waitDelivered(id: string, ms: number): Promise<boolean> {
    return this.waitFor(() => this.outbox.get(id)?.state === 'delivered', ms);
  }

  async sendFiles(peerId: DeviceId, paths: readonly string[]): Promise<void> {
    await this.queueSend(peerId, paths);
  }

  /** Queue a send (absolute paths); resolves once it is in the outbox on disk. */
  async queueSend(peerId: DeviceId, paths: readonly string[]): Promise<{ id: string; duplicate: boolean }> {
    this.requirePinned(peerId);
    this.transfers.expectTransfer();
    const r = await this.sends.send(peerId, paths);
    if (!r.duplicate) this.events.emit('outbox-queued', { id: r.id, deviceId: peerId, kind: 'send' });
    return r;
  }

  /**
   * Follow a queued send until it is delivered, failed or cancelled. Without
   * `untilDelivered`, give up (leaving it queued) once the peer has been
   * unreachable for `connectWaitMs`: the outbox delivers it later.
   */
  async waitSend(id: string, opts: { untilDelivered: boolean; connectWaitMs?: number }): Promise<{ state: string; error?: { code: string; message: string } }> {
    const item = () => this.outbox.get(id);
    const final = () => {
      const it = item();
      return !it || it.state === 'delivered' || it.state === 'failed' || it.state === 'cancelled';
    };
    const peerId = item()?.peerId;
    const forever = 2 ** 31 - 1;
    if (opts.untilDelivered || !peerId) await this.waitFor(final, forever);
    else {
      while (!final()) {
        if (!(await this.waitFor(() => final() || this.dir.online(peerId), opts.connectWaitMs ?? SEND_CONNECT_WAIT_MS))) break;
        if (final()) break;
        if (item()?.state === 'queued') this.outbox.retryNow(id);
        await this.waitFor(() => final() || !this.dir.online(peerId), forever);
      }
    }
    const it = item();
    return { state: it?.state ?? 'unknown', ...(it?.lastError ? { error: it.lastError } : {}) };
  }

  /** Live transfer progress for one id (sampled view). */
  transferView(id: string) {
    return this.snapshotNow().transfers.find((t) => t.id === id);
  }

  async startPairing(peerId: DeviceId): Promise<void> {
    const addr = this.connections.addressOf(peerId);
    if (!addr) throw new EngineError('ERR_PEER_UNREACHABLE', 'no known address for this peer', 'retryable');
    await this.pairing.start(addr.host, addr.port, peerId);
  }

  /** Pair with whoever answers at host:port. */
  async pairAddress(host: string, port: number): Promise<{ pairingId: string; deviceId: DeviceId }> {
    const v = await this.pairing.start(host, port);
    return { pairingId: v.id, deviceId: v.peerId };
  }

  answerPairing(pairingId: string, accept: boolean, code?: string): void {
    this.pairing.answer(pairingId, accept, code);
  }

  answerOffer(offerId: string, accept: boolean): void {
    this.transfers.answer(offerId, accept);
  }

  cancelTransfer(id: string): void {
    const item = this.outbox.get(id);
    if (item && item.state === 'queued' && !this.transfers.has(id)) {
      this.bg(this.outbox.cancel(id));
      return;
    }
    this.transfers.cancel(id);
    if (item) this.bg(this.outbox.cancel(id));
  }

  retryNow(id: string): void {
    if (!this.outbox.retryNow(id)) this.transfers.retry(id);
  }

  checkPath(path: string): Promise<PathCheck> {
    return checkLocalPath(path);
  }

  completePath(partial: string): Promise<string[]> {
    return completeLocalPath(partial);
  }

  // ---------------------------------------------------------------- trust

  trustList(): PinnedPeer[] {
    return this.o.store.listPins();
  }

  trustAdd(deviceId: DeviceId, name: string, policy: PinnedPeer['policy'] = 'ask'): PinnedPeer {
    const address = this.o.store.getPin(deviceId)?.address;
    const pin: PinnedPeer = { deviceId, name, pinnedAt: this.clock.wallNow(), policy, ...(address ? { address } : {}) };
    this.o.store.putPin(pin);
    this.connections.want(deviceId, 0);
    this.changed();
    return pin;
  }

  /** Unpin; a live session with that peer closes at once. */
  trustRemove(deviceId: DeviceId): boolean {
    const pin = this.o.store.getPin(deviceId);
    if (!pin) return false;
    this.o.store.removePin(deviceId);
    this.connections.disconnect(deviceId, 'ERR_NOT_PINNED', 'trust removed');
    this.events.emit('trust-removed', { deviceId, name: pin.name });
    this.changed(true);
    return true;
  }

  /** Pinned and discovered peers, for naming PEER on the command line. */
  candidates(): { deviceId: DeviceId; name: string; pinned: boolean }[] {
    const pins = this.o.store.listPins();
    const pinned = new Set(pins.map((p) => p.deviceId));
    return [
      ...pins.map((p) => ({ deviceId: p.deviceId, name: p.name, pinned: true })),
      ...this.connections.peers().filter((r) => !pinned.has(r.deviceId)).map((r) => ({ deviceId: r.deviceId, name: r.announcedName ?? '', pinned: false })),
    ];
  }

  /** Ask the LAN who is there now. */
  query(): void {
    this.connections.query();
  }

  isOnline(id: DeviceId): boolean {
    return this.connections.isOnline(id);
  }

  /** Resolves true once `pred` holds (checked on every change), false after `ms`. */
  waitFor(pred: () => boolean, ms: number): Promise<boolean> {
    if (pred()) return Promise.resolve(true);
    return new Promise((resolve) => {
      let done = false;
      const finish = (v: boolean) => {
        if (done) return;
        done = true;
        unsub();
        this.clock.clearTimeout(timer);
        resolve(v);
      };
      const check = () => pred() && finish(true);
      const unsubs = [this.publisher.subscribe(check), this.outbox?.subscribe(check) ?? (() => {})];
      const offs = (['peer-online', 'chat-delivered', 'paired', 'pair-failed'] as const).map((e) => this.events.on(e, check));
      const unsub = () => {
        unsubs.forEach((u) => u());
        offs.forEach((u) => u());
      };
      const timer = this.clock.setTimeout(() => finish(pred()), ms);
    });
  }

  outboxItems(): OutboxItem[] {
    return this.outbox.list();
  }

  outboxEntries(): OutboxEntry[] {
    return this.outbox.list().map((it) => this.outboxEntry(it));
  }

  outboxRetry(id: string): OutboxEntry {
    const it = this.requireOutboxItem(id);
    if (!this.outbox.retryNow(it.id)) throw new EngineError('ERR_USAGE', `outbox item ${it.id} is ${it.state}, not waiting for a retry`, 'usage');
    this.connections.want(it.peerId, 0);
    return this.outboxEntry(this.outbox.get(it.id)!);
  }

  async outboxCancel(id: string): Promise<OutboxEntry> {
    const it = this.requireOutboxItem(id);
    if (it.state !== 'queued' && it.state !== 'sending') throw new EngineError('ERR_USAGE', `outbox item ${it.id} is already ${it.state}`, 'usage');
    this.cancelTransfer(it.id);
    await this.waitFor(() => this.outbox.get(it.id)?.state === 'cancelled', 2_000);
    return this.outboxEntry(this.outbox.get(it.id)!);
  }

  /** An outbox item by id or unique id prefix (at least 4 characters). */
  private requireOutboxItem(id: string): OutboxItem {
    const exact = this.outbox.get(id);
    if (exact) return exact;
    const matches = id.length >= 4 ? this.outbox.list().filter((it) => it.id.startsWith(id)) : [];
    if (matches.length === 1) return matches[0]!;
    throw new EngineError(matches.length ? 'ERR_PEER_AMBIGUOUS' : 'ERR_PEER_UNKNOWN', matches.length ? `${id} matches ${matches.length} outbox items` : `no outbox item ${id}`, 'usage');
  }

  private outboxEntry(it: OutboxItem): OutboxEntry {
    return outboxEntry(it, this.nameOf(it.peerId), this.clock.now());
  }


  // ---------------------------------------------------------------- sessions

  private sessionUp(id: DeviceId, address: string, wasOnline: boolean): void {
    if (!wasOnline) this.events.emit('peer-online', { deviceId: id, name: this.nameOf(id), address });
    this.services.peerOnline(id);
    this.changed(true);
  }

  private sessionDown(id: DeviceId, reason: string): void {
    this.services.peerOffline(id);
    this.events.emit('peer-offline', { deviceId: id, name: this.nameOf(id), reason });
  }

  private sendToPeer(id: DeviceId, msg: Parameters<ConnectionLayer['send']>[1]): boolean {
    return this.connections.send(id, msg);
  }

  private deliver(item: OutboxItem): void {
    if (item.kind === 'chat') return this.chat.deliver(item);
    return this.sends.deliver(item);
  }

  // ---------------------------------------------------------------- pairing

  private pairingDone(pairingId: string, peerId: DeviceId, peerName: string, dialledAddress: string | undefined, r: { ok: boolean; code?: string; message?: string }): void {
    if (r.ok) {
      const name = peerName.trim() || shortId(peerId);
      const existing = this.o.store.getPin(peerId);
      const hint = this.connections.hintOf(peerId);
      const addr = dialledAddress ?? (hint ? `${hint.host}:${hint.port}` : existing?.address);
      this.o.store.putPin({
        deviceId: peerId,
        name: existing?.name ?? name,
        pinnedAt: this.clock.wallNow(),
        policy: existing?.policy ?? 'ask',
        ...(addr ? { address: addr } : {}),
      });
      this.events.emit('paired', { pairingId, deviceId: peerId, name });
      this.notice('info', `paired with ${name} (${shortId(peerId)})`);
      this.connections.want(peerId, 0);
    } else {
      this.events.emit('pair-failed', { pairingId, deviceId: peerId, name: peerName, code: r.code ?? 'ABORTED', message: r.message ?? 'pairing failed' });
      this.notice('warn', `pairing with ${peerName || shortId(peerId)} failed: ${r.message ?? r.code}`);
    }
    this.changed(true);
  }

  // ---------------------------------------------------------------- snapshot

  private requirePinned(id: DeviceId): void {
    if (!this.o.store.getPin(id)) throw new EngineError('ERR_NOT_PINNED', 'that peer is not trusted: pair with it first', 'usage');
  }

  private nameOf(id: DeviceId): string {
    return this.o.store.getPin(id)?.name ?? this.dir.get(id)?.announcedName ?? shortId(id);
  }

  /** Run a promise in the background: a failure becomes a notice (or nothing, once stopping). */
  private bg(p: Promise<unknown>): void {
    p.catch((err: unknown) => this.backgroundError(err));
  }

  private backgroundError(err: unknown): void {
    if (this.stopping) return;
    this.notice('error', err instanceof Error ? err.message : String(err));
  }

  notice(level: NoticeLevel, text: string): void {
    const now = this.clock.now();
    this.notices = [...this.notices.filter((n) => now - n.at < NOTICE_TTL_MS), { id: ++this.noticeSeq, level, text, at: now }].slice(-MAX_NOTICES);
    if (level === 'error') this.events.emit('error', { code: 'ERR_NOTICE', message: text });
    this.changed(true);
  }

  private changed(urgent = false): void {
    if (!this.stopping) this.publisher.markDirty(urgent);
  }

  private buildSnapshot(): EngineSnapshot {
    const now = this.clock.now();
    const chats: Record<string, EngineSnapshot['chats'][string]> = {};
    if (this.history) for (const id of this.history.peers()) chats[id] = this.history.messages(id);
    return {
      self: {
        deviceId: this.selfId,
        shortId: shortId(this.selfId),
        name: this.o.name,
        ...(this.connections.listenAddress ? { listenAddress: this.connections.listenAddress } : {}),
      },
      peers: this.connections.views(),
      // Both exist once start() has built them; a snapshot can be taken before (trustAdd on a new engine).
      transfers: this.transfers && this.sends ? [...this.transfers.views(), ...this.sends.queuedViews()] : [],
      chats,
      pairings: this.pairing.views(),
      offers: this.transfers ? this.transfers.offers() : [],
      notices: this.notices.filter((n) => now - n.at < NOTICE_TTL_MS),
    };
  }
}
