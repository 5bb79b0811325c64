/**
 * The engine: one per identity. It owns the TLS listener, discovery, sessions
 * with trusted peers, pairing, chat and the outbox, and publishes one immutable
 * snapshot (≤ 10 per second) plus typed events. The dashboard and the headless
 * commands drive it through the same methods.
 */
import { shortId, type DeviceId } from '../../protocol/device-id.js';
import type { Message } from '../../protocol/messages/index.js';
import { systemClock, systemRandom, type Clock, type Random, type TimerHandle } from '../clock.js';
import { Discovery } from '../discovery/discovery.js';
import type { EngineHandle, EngineSnapshot, Notice, NoticeLevel, PathCheck } from '../engine-api.js';
import { EngineError, isEngineError } from '../errors.js';
import { ChatHistory, type ChatRecord } from '../chat/chat-history.js';
import { ChatService } from '../chat/chat-service.js';
import { Outbox, type OutboxItem, type OutboxRecord } from '../outbox/outbox.js';
import { PairingManager } from '../pairing/pairing-manager.js';
import type { RecordLog } from '../record-log.js';
import type { PinnedPeer } from '../../store/store.js';
import { dialTls } from '../tls/tls-dialer.js';
import { createTlsListener, type AuthorizeRequest, type TlsListener } from '../tls/tls-listener.js';
import { ALPN_BULK, ALPN_PAIRING, ALPN_SESSION } from '../tls/tls-options.js';
import { TransferManager } from '../transfer/transfer-manager.js';
import type { TransferControlMessage } from '../../protocol/messages/transfer.js';
import { FileSends } from './file-sends.js';
import type { PeerSocket } from '../tls/peer-socket.js';
import { TypedEmitter } from '../typed-emitter.js';
import type { EngineEventMap } from './events.js';
import type { OutboxEntry } from './operations.js';
import { MessageChannel } from './message-channel.js';
import { PeerDirectory } from './peer-directory.js';
import { checkLocalPath, completeLocalPath } from './local-paths.js';
import { SnapshotPublisher } from './snapshot-publisher.js';
import { preferredSession, Session, SESSION_TIEBREAK_BYTES, SESSION_TIEBREAK_LABEL } from './session.js';

/** Reconnect schedule for a trusted peer we lost (the last entry repeats). */
export const RECONNECT_BACKOFF_MS: readonly number[] = [500, 1_000, 2_000, 5_000, 10_000, 30_000];
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
  /** 'own': a private one-shot engine delivers only outbox work it queued or was asked to retry. */
  outboxScope?: 'all' | 'own';
  clock?: Clock;
  random?: Random;
  /** Pairing requests time out after this (default PAIRING_TIMEOUT_MS). */
  pairingTimeoutMs?: number;
  /** Where received files are published (created if missing). */
  downloadsDir: string;
  /** How long a sent offer waits for the receiver's answer. */
  offerTimeoutMs?: number;
}

const TRANSFER_CONTROL: ReadonlySet<string> = new Set(['OFFER', 'OFFER_ACCEPT', 'OFFER_DENY', 'CANCEL', 'TRANSFER_DONE', 'TRANSFER_PAUSE']);

export class Engine implements EngineHandle {
  readonly events = new TypedEmitter<EngineEventMap>();
  readonly selfId: DeviceId;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly dir = new PeerDirectory();
  private readonly publisher: SnapshotPublisher<EngineSnapshot>;
  private listener: TlsListener | undefined;
  private discovery: Discovery | undefined;
  private listenPort = 0;
  private readonly pairing: PairingManager;
  private chat!: ChatService;
  private history!: ChatHistory;
  private outbox!: Outbox;
  private transfers!: TransferManager;
  private sends!: FileSends;
  private readonly reconnect = new Map<DeviceId, { attempt: number; timer?: TimerHandle }>();
  private notices: Notice[] = [];
  private noticeSeq = 0;
  private stopping = false;
  private started = false;
  /** Dials whose certificate did not match what discovery announced (quiet, counted). */
  hintMismatches = 0;
  /** Which device answered at each `--peer` address (learnt by dialling it). */
  private readonly staticOwner = new Map<string, DeviceId>();
  /** Sessions we dialled that are still exchanging HELLO: no second dial to that peer meanwhile. */
  private readonly handshaking = new Map<DeviceId, Session>();
  /** Static addresses being dialled by dialStatic (whoever answers gets the session). */
  private readonly staticDialing = new Set<string>();

  constructor(private readonly o: EngineOptions) {
    this.selfId = o.identity.deviceId;
    this.clock = o.clock ?? systemClock;
    this.random = o.random ?? systemRandom;
    this.pairing = new PairingManager({
      selfId: this.selfId,
      selfName: () => this.o.name,
      clock: this.clock,
      random: this.random,
      ...(o.pairingTimeoutMs ? { timeoutMs: o.pairingTimeoutMs } : {}),
      dial: (host, port, expectedDeviceId) => this.dial(host, port, ALPN_PAIRING, expectedDeviceId),
      onChange: () => this.changed(true),
      onCode: (v) => {
        this.events.emit('pair-request', { pairingId: v.id, deviceId: v.peerId, name: v.peerName, address: v.address, code: v.code ?? '', direction: v.direction });
      },
      onDone: (v, r) => this.pairingDone(v.id, v.peerId, v.peerName, v.direction === 'outgoing' ? v.address : undefined, r),
    });
    this.publisher = new SnapshotPublisher<EngineSnapshot>(this.buildSnapshot(), this.clock, undefined, () => this.buildSnapshot());
  }

  // ---------------------------------------------------------------- lifecycle

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.history = new ChatHistory(await this.o.store.openLog<ChatRecord>('chat'));
    await this.history.open();
    this.outbox = new Outbox(await this.o.store.openLog<OutboxRecord>('outbox'), this.clock, this.random, { ownWorkOnly: this.o.outboxScope === 'own' });
    await this.outbox.open();
    this.chat = new ChatService({
      history: this.history,
      outbox: this.outbox,
      clock: this.clock,
      random: this.random,
      sendToPeer: (id, msg) => this.sendToPeer(id, msg),
      wantPeer: (id) => this.connectSoon(id, 0),
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
      dialBulk: (id) => this.dialBulk(id),
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
      isOnline: (id) => this.dir.online(id),
      wantPeer: (id) => this.connectSoon(id, 0),
      nameOf: (id) => this.nameOf(id),
      onError: (err) => this.backgroundError(err),
      onDelivered: (item) => this.events.emit('outbox-delivered', { id: item.id, deviceId: item.peerId, kind: item.kind }),
    });

    if (this.o.listen) {
      this.listener = createTlsListener({
        certPem: this.o.identity.certPem,
        keyPem: this.o.identity.keyPem,
        host: this.o.listen.host,
        port: this.o.listen.port,
        clock: this.clock,
        authorize: (req) => this.authorize(req),
      });
      this.listener.on('connection', (s) => this.onInbound(s));
      this.listener.on('error', (err) => this.notice('error', `listener: ${err.message}`));
      this.listenPort = await this.listener.listen();
      this.events.emit('listening', { address: this.o.listen.host, port: this.listenPort });
    }
    if (this.o.discovery) {
      this.discovery = new Discovery({
        selfId: this.selfId,
        name: this.o.name,
        tcpPort: this.listenPort || 1,
        discoveryPort: this.o.discovery.port,
        ...(this.o.discovery.broadcast?.length ? { broadcast: this.o.discovery.broadcast } : {}),
        clock: this.clock,
        random: this.random,
      });
      this.discovery.on('peer-seen', (e) => this.onDiscovered(e.deviceId, e.name, e.address, e.port, e.firstTime));
      this.discovery.on('peer-stale', (e) => this.onDiscoveryStale(e.deviceId));
      this.discovery.on('peer-gone', (e) => this.onDiscoveryGone(e.deviceId, e.reason));
      this.discovery.on('duplicate-identity', (e) => this.notice('warn', `another device announces our own ID from ${e.address}`));
      await this.discovery.start();
    }
    this.outbox.start((item) => this.deliver(item));
    for (const pin of this.o.store.listPins()) this.connectSoon(pin.deviceId, 0);
    for (const sp of this.o.staticPeers ?? []) this.bg(this.dialStatic(sp.host, sp.port));
    this.changed(true);
  }

  async shutdown(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const r of this.reconnect.values()) this.clock.clearTimeout(r.timer);
    this.reconnect.clear();
    this.pairing.abortAll();
    this.outbox?.stop();
    this.chat?.stop();
    await this.transfers?.stop().catch(() => {});
    for (const r of this.dir.all()) r.session?.close('ERR_CONNECTION_CLOSED', 'shutting down', true);
    await this.discovery?.stop().catch(() => {});
    await this.listener?.close().catch(() => {});
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
    return this.listenPort;
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
    const r = this.dir.get(peerId);
    const addr = r?.hint ?? this.parseAddress(this.o.store.getPin(peerId)?.address);
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
    this.connectSoon(deviceId, 0);
    this.changed();
    return pin;
  }

  /** Unpin; a live session with that peer closes at once. */
  trustRemove(deviceId: DeviceId): boolean {
    const pin = this.o.store.getPin(deviceId);
    if (!pin) return false;
    this.o.store.removePin(deviceId);
    const r = this.dir.get(deviceId);
    this.cancelReconnect(deviceId);
    r?.session?.close('ERR_NOT_PINNED', 'trust removed', true);
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
      ...this.dir.all().filter((r) => !pinned.has(r.deviceId)).map((r) => ({ deviceId: r.deviceId, name: r.announcedName ?? '', pinned: false })),
    ];
  }

  /** Ask the LAN who is there now. */
  query(): void {
    this.discovery?.query();
  }

  isOnline(id: DeviceId): boolean {
    return this.dir.online(id);
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
    this.connectSoon(it.peerId, 0);
    return this.outboxEntry(this.outbox.get(it.id)!);
  }

  /** Drop delivered and cancelled items now; resolves with how many. */
  outboxClear(): Promise<number> {
    return this.outbox.clearFinished();
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
    const p = it.payload as { text?: string; paths?: string[] };
    const what = it.kind === 'chat' ? `message: ${(p.text ?? '').slice(0, 60)}` : `send: ${(p.paths ?? []).join(', ')}`;
    return {
      id: it.id,
      kind: it.kind,
      deviceId: it.peerId,
      peer: this.nameOf(it.peerId),
      state: it.state,
      attempts: it.attempts,
      ...(it.state === 'queued' && it.nextAttemptAt !== undefined ? { nextAttemptIn: Math.max(0, Math.round((it.nextAttemptAt - this.clock.now()) / 1000)) } : {}),
      what,
      ...(it.lastError ? { lastError: it.lastError } : {}),
      createdAt: it.createdAt,
    };
  }

  // ---------------------------------------------------------------- connections

  private authorize(req: AuthorizeRequest): 'accept' | 'reject' {
    if (this.stopping) return 'reject';
    if (req.deviceId === this.selfId) return 'reject';
    if (req.alpn === ALPN_SESSION) return this.o.store.getPin(req.deviceId) ? 'accept' : 'reject';
    if (req.alpn === ALPN_PAIRING) return this.pairing.admit(req.deviceId, req.remoteAddress) ? 'accept' : 'reject';
    if (req.alpn === ALPN_BULK) return this.o.store.getPin(req.deviceId) ? 'accept' : 'reject';
    return 'reject';
  }

  private onInbound(s: PeerSocket): void {
    if (s.alpn === ALPN_PAIRING) return this.pairing.incoming(s);
    if (s.alpn === ALPN_SESSION) return this.openSession(s, false);
    if (s.alpn === ALPN_BULK) return this.transfers.handleBulk(s);
    s.close();
  }

  /** A bulk-data connection to a trusted peer, at the address its live session came from. */
  private dialBulk(id: DeviceId): Promise<PeerSocket> {
    const s = this.dir.get(id)?.session;
    const port = s?.peerHello?.port ?? 0;
    const addr = s && port > 0 ? { host: s.remoteAddress, port } : this.parseAddress(this.o.store.getPin(id)?.address);
    if (!addr) return Promise.reject(new EngineError('ERR_PEER_UNREACHABLE', 'no address for a bulk connection to this peer', 'retryable'));
    return this.dial(addr.host, addr.port, ALPN_BULK, id);
  }

  private dial(host: string, port: number, alpn: typeof ALPN_SESSION | typeof ALPN_PAIRING | typeof ALPN_BULK, expectedDeviceId?: DeviceId): Promise<PeerSocket> {
    return dialTls({
      host,
      port,
      certPem: this.o.identity.certPem,
      keyPem: this.o.identity.keyPem,
      alpn,
      clock: this.clock,
      ...(expectedDeviceId ? { expectedDeviceId } : {}),
    });
  }

  private async dialStatic(host: string, port: number): Promise<void> {
    const key = `${host}:${port}`;
    this.staticDialing.add(key);
    try {
      const s = await this.dial(host, port, ALPN_SESSION);
      this.staticOwner.set(key, s.deviceId);
      if (s.deviceId === this.selfId || !this.o.store.getPin(s.deviceId)) {
        s.close();
        if (s.deviceId !== this.selfId) this.dir.ensure(s.deviceId).hint = { host, port };
        this.changed();
        return;
      }
      this.openSession(s, true);
    } catch {
      // A static peer that is down is retried through its pin once known; nothing to do.
    } finally {
      this.staticDialing.delete(key);
    }
  }

  private isStatic(host: string, port: number): boolean {
    return (this.o.staticPeers ?? []).some((p) => p.host === host && p.port === port);
  }

  private parseAddress(a: string | undefined): { host: string; port: number } | undefined {
    if (!a) return undefined;
    const m = /^(.*):(\d+)$/.exec(a);
    if (!m) return undefined;
    return { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
  }

  /** Schedule a dial to a pinned peer (0 = now) unless one is live or under way. */
  private connectSoon(id: DeviceId, delayMs?: number): void {
    if (this.stopping) return;
    const pin = this.o.store.getPin(id);
    if (!pin) return;
    this.dir.ensure(id);
    if (this.isConnecting(id)) return;
    const rc = this.reconnect.get(id) ?? { attempt: 0 };
    if (rc.timer && delayMs === undefined) return;
    this.clock.clearTimeout(rc.timer);
    const wait = delayMs ?? RECONNECT_BACKOFF_MS[Math.min(rc.attempt, RECONNECT_BACKOFF_MS.length - 1)]!;
    rc.timer = this.clock.setTimeout(() => {
      rc.timer = undefined;
      this.bg(this.dialPinned(id));
    }, wait);
    this.reconnect.set(id, rc);
  }

  private cancelReconnect(id: DeviceId): void {
    const rc = this.reconnect.get(id);
    if (rc) this.clock.clearTimeout(rc.timer);
    this.reconnect.delete(id);
  }

  private async dialPinned(id: DeviceId): Promise<void> {
    const pin = this.o.store.getPin(id);
    const r = this.dir.ensure(id);
    if (!pin || this.isConnecting(id) || this.stopping) return;
    const targets: { host: string; port: number; loud: boolean }[] = [];
    if (r.hint) targets.push({ ...r.hint, loud: false });
    const pinned = this.parseAddress(pin.address);
    if (pinned && !this.staticDialing.has(`${pinned.host}:${pinned.port}`)) targets.push({ ...pinned, loud: true });
    // A static address is this peer's when it answered with this ID before (a different
    // certificate there is then loud), unknown when nobody answered yet (a quiet try), or
    // another peer's (skipped: dialling it for this one would be a false alarm).
    // One being dialled by dialStatic right now is left to it (a second connection to the same
    // peer would only be dropped as a duplicate).
    for (const sp of this.o.staticPeers ?? []) {
      const key = `${sp.host}:${sp.port}`;
      const owner = this.staticOwner.get(key);
      if (this.staticDialing.has(key)) continue;
      if (owner === undefined || owner === id) targets.push({ ...sp, loud: owner === id });
    }
    if (!targets.length) return; // wait for discovery
    r.connecting = true;
    this.changed();
    for (const t of targets) {
      try {
        const s = await this.dial(t.host, t.port, ALPN_SESSION, id);
        r.connecting = false;
        if (this.stopping) return s.close();
        this.openSession(s, true);
        return;
      } catch (err) {
        if (isEngineError(err, 'ERR_CERT_CHANGED')) {
          const got = (err.cause as { deviceId?: DeviceId } | undefined)?.deviceId;
          if (t.loud && this.o.store.getPin(id)) {
            this.events.emit('cert-changed', { expected: id, got: got ?? id, address: `${t.host}:${t.port}` });
            this.notice('error', `certificate changed: ${pin.name} (${shortId(id)}) at ${t.host}:${t.port} presented another certificate — refused`);
          } else {
            this.hintMismatches++;
            if (got && this.isStatic(t.host, t.port)) this.staticOwner.set(`${t.host}:${t.port}`, got);
          }
        }
      }
    }
    r.connecting = false;
    this.changed();
    this.retryLater(id);
  }

  /** A dial or handshake to `id` failed: schedule the next try, one step further along the backoff. */
  private retryLater(id: DeviceId): void {
    const rc = this.reconnect.get(id) ?? { attempt: 0 };
    rc.attempt++;
    this.reconnect.set(id, rc);
    this.connectSoon(id);
  }

  /** A session with `id` is up, or one is being dialled or is exchanging HELLO. */
  private isConnecting(id: DeviceId): boolean {
    const r = this.dir.get(id);
    return !!(r?.session || r?.connecting || this.handshaking.has(id));
  }

  private openSession(sock: PeerSocket, initiatedBySelf: boolean): void {
    const channel = new MessageChannel(sock);
    const tieBreak = sock.exportKeyingMaterial(SESSION_TIEBREAK_BYTES, SESSION_TIEBREAK_LABEL);
    const session = new Session(sock.deviceId, initiatedBySelf, tieBreak, sock.remoteAddress, channel, { selfName: this.o.name, listenPort: this.listenPort }, this.clock, {
      onReady: (s) => this.sessionReady(s),
      onMessage: (s, m) => this.onSessionMessage(s, m),
      onRtt: (s, ms) => {
        const r = this.dir.get(s.peerId);
        if (r && r.session === s) {
          r.rttMs = ms;
          r.lastSeen = this.clock.wallNow();
          this.changed();
        }
      },
      onClosed: (s, why) => this.sessionClosed(s, why),
    });
    if (initiatedBySelf) this.handshaking.set(sock.deviceId, session);
  }

  private sessionReady(s: Session): void {
    if (this.handshaking.get(s.peerId) === s) this.handshaking.delete(s.peerId);
    if (!this.o.store.getPin(s.peerId) || this.stopping) {
      s.deny(this.stopping ? 'SHUTTING_DOWN' : 'NOT_TRUSTED', 'not trusted');
      return;
    }
    const r = this.dir.ensure(s.peerId);
    if (r.session && r.session !== s && r.session.isReady) {
      const keep = preferredSession(this.selfId, r.session, s);
      const drop = keep === s ? r.session : s;
      r.session = keep;
      drop.deny('DUPLICATE', 'a connection with this peer already exists');
      if (keep !== s) return;
    }
    const wasOnline = r.session === s;
    r.session = s;
    r.connecting = false;
    r.lastSeen = this.clock.wallNow();
    if (s.peerHello?.name && !r.announcedName) r.announcedName = s.peerHello.name;
    const rc = this.reconnect.get(s.peerId);
    if (rc) {
      this.clock.clearTimeout(rc.timer);
      this.reconnect.delete(s.peerId);
    }
    // Remember where a trusted peer can be dialled (its listening port, not our source port).
    const pin = this.o.store.getPin(s.peerId)!;
    const port = s.peerHello?.port ?? 0;
    if (port > 0) {
      const address = `${s.remoteAddress.includes(':') ? `[${s.remoteAddress}]` : s.remoteAddress}:${port}`;
      if (pin.address !== address) this.o.store.putPin({ ...pin, address });
    }
    if (!wasOnline) this.events.emit('peer-online', { deviceId: s.peerId, name: this.nameOf(s.peerId), address: s.remoteAddress });
    this.transfers.peerOnline(s.peerId);
    this.outbox.peerSeen(s.peerId);
    this.changed(true);
  }

  private sessionClosed(s: Session, why: { code: string; message: string; bye: boolean }): void {
    const r = this.dir.get(s.peerId);
    if (this.handshaking.get(s.peerId) === s) {
      this.handshaking.delete(s.peerId);
      if (r && !r.session && !why.bye) this.retryLater(s.peerId); // it never came up (denied, timed out)
    }
    if (!r || r.session !== s) return;
    r.session = undefined;
    r.rttMs = undefined;
    this.chat.sessionLost(s.peerId);
    this.transfers.peerOffline(s.peerId);
    this.events.emit('peer-offline', { deviceId: s.peerId, name: this.nameOf(s.peerId), reason: why.message });
    if (!why.bye && why.code !== 'ERR_NOT_PINNED') this.connectSoon(s.peerId);
    this.changed(true);
  }

  private onSessionMessage(s: Session, m: Message): void {
    const r = this.dir.get(s.peerId);
    if (r) r.lastSeen = this.clock.wallNow();
    switch (m.type) {
      case 'CHAT':
        this.bg(this.chat.received(s.peerId, m).then((ack) => s.send(ack)));
        return;
      case 'CHAT_ACK':
        this.bg(this.chat.acked(s.peerId, m.id));
        return;
      default:
        if (TRANSFER_CONTROL.has(m.type)) this.transfers.handleControl(s.peerId, m as TransferControlMessage);
        return;
    }
  }

  private sendToPeer(id: DeviceId, msg: Message): boolean {
    const s = this.dir.get(id)?.session;
    if (!s?.isReady) return false;
    return s.send(msg) || true;
  }

  private deliver(item: OutboxItem): void {
    if (item.kind === 'chat') return this.chat.deliver(item);
    return this.sends.deliver(item);
  }

  // ---------------------------------------------------------------- discovery

  private onDiscovered(id: DeviceId, name: string, host: string, port: number, firstTime: boolean): void {
    const r = this.dir.ensure(id);
    const moved = !r.hint || r.hint.host !== host || r.hint.port !== port;
    r.announcedName = name;
    r.hint = { host, port };
    r.discovery = 'fresh';
    r.lastSeen = this.clock.wallNow();
    const pinned = !!this.o.store.getPin(id);
    if (firstTime || moved) this.events.emit('peer-discovered', { deviceId: id, name, address: host, port, verified: pinned });
    // Seen again: a trusted peer we are not connected to is dialled at once.
    if (pinned && !r.session && !r.connecting) this.connectSoon(id, 0);
    this.changed();
  }

  private onDiscoveryStale(id: DeviceId): void {
    const r = this.dir.get(id);
    if (r) r.discovery = 'stale';
    this.changed();
  }

  private onDiscoveryGone(id: DeviceId, reason: string): void {
    const r = this.dir.get(id);
    if (!r) return;
    r.discovery = 'none';
    if (reason === 'bye') this.events.emit('peer-left', { deviceId: id, name: this.nameOf(id) });
    this.dir.prune(id, !!this.o.store.getPin(id));
    this.changed(true);
  }

  // ---------------------------------------------------------------- pairing

  private pairingDone(pairingId: string, peerId: DeviceId, peerName: string, dialledAddress: string | undefined, r: { ok: boolean; code?: string; message?: string }): void {
    if (r.ok) {
      const name = peerName.trim() || shortId(peerId);
      const existing = this.o.store.getPin(peerId);
      const hint = this.dir.get(peerId)?.hint;
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
      this.connectSoon(peerId, 0);
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
    const pins = this.o.store.listPins();
    const chats: Record<string, EngineSnapshot['chats'][string]> = {};
    if (this.history) for (const id of this.history.peers()) chats[id] = this.history.messages(id);
    return {
      self: {
        deviceId: this.selfId,
        shortId: shortId(this.selfId),
        name: this.o.name,
        ...(this.listener ? { listenAddress: `${this.o.listen!.host}:${this.listenPort}` } : {}),
      },
      peers: this.dir.views(pins),
      // Both exist once start() has built them; a snapshot can be taken before (trustAdd on a new engine).
      transfers: this.transfers && this.sends ? [...this.transfers.views(), ...this.sends.queuedViews()] : [],
      chats,
      pairings: this.pairing.views(),
      offers: this.transfers ? this.transfers.offers() : [],
      notices: this.notices.filter((n) => now - n.at < NOTICE_TTL_MS),
    };
  }
}
