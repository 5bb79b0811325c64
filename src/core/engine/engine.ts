/**
 * The engine: one per identity, a thin composer. The connection layer
 * (src/core/connections/) owns the listener, discovery, dialling and sessions;
 * services (chat, transfers, outbox) attach to sessions through its registry
 * by message type, pairing and bulk data through their ALPNs. The engine wires
 * them, keeps the public EngineHandle methods and events, and publishes one
 * immutable snapshot (≤ 10 per second). The dashboard and the headless
 * commands drive it through the same methods.
 */
import { shortId, type DeviceId } from '../../protocol/device-id.js';
import { systemClock, systemRandom, type Clock, type Random } from '../clock.js';
import type { EngineHandle, EngineSnapshot, NoticeLevel, PathCheck, SettingChange, SettingView } from '../engine-api.js';
import type { SettingsOps } from '../settings/settings-service.js';
import { EngineSettings } from './engine-settings.js';
import { assembleSnapshot } from './engine-snapshot.js';
import { EngineError } from '../errors.js';
import type { ChatHistory } from '../chat/chat-history.js';
import type { ChatService } from '../chat/chat-service.js';
import { chatPeerService } from '../chat/chat-peer-service.js';
import { ConnectionLayer } from '../connections/connection-layer.js';
import { ServiceRegistry } from '../connections/service.js';
import { outboxPeerService } from '../outbox/outbox-peer-service.js';
import { bulkAlpnHandler, transferPeerService } from '../transfer/transfer-peer-service.js';
import type { Outbox, OutboxItem } from '../outbox/outbox.js';
import type { OutboxEntry } from '../outbox/outbox-entry.js';
import type { PairingManager } from '../pairing/pairing-manager.js';
import { ALPN_APP, ALPN_BULK } from '../tls/tls-options.js';
import { AppConnections } from '../app/app-service.js';
import type { TransferManager } from '../transfer/transfer-manager.js';
import { createPairing } from './engine-pairing.js';
import { openServices } from './engine-services.js';
import { RelayHome } from '../relay-client/relay-home.js';
import type { FileSends } from './file-sends.js';
import { NoticeBoard } from './notices.js';
import { skippedNotice } from '../transfer/skipped-notice.js';
import { OutboxCommands } from './outbox-commands.js';
import { TrustCommands } from './trust-commands.js';
import { followSend } from './send-wait.js';
import { waitUntil } from './wait-for.js';
import { TypedEmitter } from '../typed-emitter.js';
import type { EngineEventMap } from './events.js';
import { checkLocalPath, completeLocalPath } from './local-paths.js';
import { SnapshotPublisher } from './snapshot-publisher.js';
import type { EngineOptions, PinnedPeer } from './engine-options.js';

export { RECONNECT_BACKOFF_MS } from '../connections/redialer.js';
export { SEND_CONNECT_WAIT_MS } from './send-wait.js';
export { NOTICE_TTL_MS } from './notices.js';
export type { EngineIdentity, EngineOptions, EngineStore, PinnedPeer } from './engine-options.js';

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
  private readonly notices = new NoticeBoard();
  private readonly outboxCommands: OutboxCommands;
  private readonly trust: TrustCommands;
  /** Application connections (the library API), each its own TLS connection of ALPN peerdeck-app/1. */
  readonly apps: AppConnections;
  private stopping = false;
  private started = false;
  /** The store's settings (`peerdeck config`), given by whoever opened the store (runtime.ts). */
  private readonly settingsPort = new EngineSettings();
  private readonly relayHome: RelayHome | undefined;

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
        sessionUp: (id, address, wasOnline) => {
          if (!wasOnline) this.events.emit('peer-online', { deviceId: id, name: this.nameOf(id), address });
          this.services.peerOnline(id);
          this.changed(true);
        },
        sessionDown: (id, reason) => {
          this.services.peerOffline(id);
          this.events.emit('peer-offline', { deviceId: id, name: this.nameOf(id), reason });
        },
        message: (id, m, session) => {
          if (!this.services.route(id, m, session)) session.violation(`${m.type} does not belong on a session`);
        },
        changed: (urgent) => this.changed(urgent),
        error: (err) => this.backgroundError(err),
      },
    });
    this.pairing = createPairing({
      selfId: this.selfId,
      name: () => this.o.name,
      clock: this.clock,
      random: this.random,
      ...(o.pairingTimeoutMs ? { timeoutMs: o.pairingTimeoutMs } : {}),
      connections: this.connections,
      pins: o.store,
      events: this.events,
      notice: (level, text) => this.notice(level, text),
      changed: (urgent) => this.changed(urgent),
    });
    this.outboxCommands = new OutboxCommands({
      outbox: () => this.outbox,
      clock: this.clock,
      nameOf: (id) => this.nameOf(id),
      wantPeer: (id) => this.connections.want(id, 0),
      cancel: (id) => this.cancelTransfer(id),
      waitFor: (pred, ms) => this.waitFor(pred, ms),
    });
    this.trust = new TrustCommands({ store: o.store, clock: this.clock, connections: this.connections, events: this.events, changed: (urgent) => this.changed(urgent) });
    this.relayHome = o.relay
      ? new RelayHome({ ...o.relay, identity: o.identity, clock: this.clock, random: this.random, changed: () => this.changed() })
      : undefined;
    this.apps = new AppConnections({
      clock: this.clock,
      isPinned: (id) => !!this.o.store.getPin(id),
      nameOf: (id) => this.nameOf(id),
      waitOnline: (id, ms) => (this.connections.want(id, 0), this.waitFor(() => this.connections.isOnline(id), ms)),
      dial: (id) => this.connections.dialPeer(id, ALPN_APP),
    });
    this.publisher = new SnapshotPublisher<EngineSnapshot>(this.buildSnapshot(), this.clock, undefined, () => this.buildSnapshot());
  }

  // ---------------------------------------------------------------- lifecycle

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    ({ history: this.history, outbox: this.outbox, chat: this.chat, transfers: this.transfers, sends: this.sends } = await openServices({
      selfId: this.selfId,
      clock: this.clock,
      random: this.random,
      store: this.o.store,
      downloadsDir: this.o.downloadsDir,
      ...(this.o.offerTimeoutMs ? { offerTimeoutMs: this.o.offerTimeoutMs } : {}),
      ...(this.o.outboxScope ? { outboxScope: this.o.outboxScope } : {}),
      connections: this.connections,
      events: this.events,
      nameOf: (id) => this.nameOf(id),
      changed: () => this.changed(),
      onError: (err) => this.backgroundError(err),
    }));
    this.connections.handle(ALPN_BULK, bulkAlpnHandler(this.transfers, (id) => !!this.o.store.getPin(id)));
    this.connections.handle(ALPN_APP, this.apps.alpnHandler());
    // Registration order is the order services hear a peer come online or go offline.
    this.services.register(chatPeerService(this.chat, (p) => this.bg(p)));
    this.services.register(transferPeerService(this.transfers));
    this.services.register(outboxPeerService(this.outbox));
    if (this.relayHome) this.services.register(this.relayHome.peerService());
    await this.connections.start();
    this.relayHome?.start();
    this.outbox.start((item) => this.deliver(item));
    this.connections.connectAll();
    this.changed(true);
  }

  serveSettings(ops: SettingsOps): void {
    this.settingsPort.serve(ops);
  }

  settings(): Promise<readonly SettingView[]> {
    return this.settingsPort.list();
  }

  setSetting(key: string, text: string): Promise<SettingChange> {
    return this.settingsPort.set(key, text, process.cwd());
  }

  async shutdown(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.connections.beginStop();
    this.pairing.abortAll();
    this.relayHome?.stop();
    this.apps.stop();
    this.outbox?.stop();
    this.chat?.stop();
    await this.transfers?.stop().catch(() => {});
    await this.connections.close();
    this.publisher.dispose();
  }

  // ---------------------------------------------------------------- EngineHandle

  subscribe = (fn: () => void): (() => void) => this.publisher.subscribe(fn);
  getSnapshot = (): EngineSnapshot => this.publisher.getSnapshot();

  /** Settings a running engine takes at once (`peerdeck config set`): name, downloads folder, static peers. */
  async reconfigure(p: { name?: string; downloadsDir?: string; staticPeers?: { host: string; port: number }[] }): Promise<void> {
    Object.assign(this.o, p); // (an argument to a?.f() is not evaluated when a is unset)
    if (p.downloadsDir !== undefined) await this.transfers?.setDownloadsDir(p.downloadsDir);
    this.connections.reconfigure(p);
    this.changed(true);
  }

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
    if (r.skipped.length) this.notice('warn', skippedNotice(r.skipped));
    return { id: r.id, duplicate: r.duplicate };
  }

  /**
   * Follow a queued send until it is delivered, failed or cancelled. Without
   * `untilDelivered`, give up (leaving it queued) once the peer has been
   * unreachable for `connectWaitMs`: the outbox delivers it later.
   */
  waitSend(id: string, opts: { untilDelivered: boolean; connectWaitMs?: number }): Promise<{ state: string; error?: { code: string; message: string } }> {
    return followSend({ outbox: this.outbox, isOnline: (p) => this.connections.isOnline(p), waitFor: (pred, ms) => this.waitFor(pred, ms) }, id, opts);
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

  /** An open pairing request or how a finished one ended, with `now` on the engine's clock. */
  pairingState = (id: string) => ({ now: this.clock.now(), open: this.pairing.views().find((v) => v.id === id), ended: this.pairing.outcome(id) });

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

  checkPath = (path: string): Promise<PathCheck> => checkLocalPath(path);
  completePath = (partial: string): Promise<string[]> => completeLocalPath(partial);

  // ---------------------------------------------------------------- trust

  trustList = (): PinnedPeer[] => this.trust.list();
  trustAdd = (deviceId: DeviceId, name: string, policy: PinnedPeer['policy'] = 'ask'): PinnedPeer => this.trust.add(deviceId, name, policy);
  /** Unpin; a live session with that peer closes at once. */
  trustRemove = (deviceId: DeviceId): boolean => this.trust.remove(deviceId);
  /** Pinned and discovered peers, for naming PEER on the command line. */
  candidates = () => this.trust.candidates();

  /** Ask the LAN who is there now. */
  query(): void {
    this.connections.query();
  }

  isOnline(id: DeviceId): boolean {
    return this.connections.isOnline(id);
  }

  /** Resolves true once `pred` holds (checked on every change), false after `ms`. */
  waitFor(pred: () => boolean, ms: number): Promise<boolean> {
    const onEvents = (['peer-online', 'chat-delivered', 'paired', 'pair-failed'] as const).map((e) => (fn: () => void) => this.events.on(e, fn));
    return waitUntil(pred, ms, this.clock, [this.publisher.subscribe, (fn) => this.outbox?.subscribe(fn) ?? (() => {}), ...onEvents]);
  }

  outboxItems = (): OutboxItem[] => this.outbox.list();
  outboxEntries = (): OutboxEntry[] => this.outboxCommands.entries();
  outboxRetry = (id: string): OutboxEntry => this.outboxCommands.retry(id);
  outboxCancel = (id: string): Promise<OutboxEntry> => this.outboxCommands.cancel(id);
  /** Drop delivered and cancelled items now; resolves with how many. */
  outboxClear = (): Promise<number> => this.outbox.clearFinished();

  // ---------------------------------------------------------------- services

  private deliver(item: OutboxItem): void {
    if (item.kind === 'chat') return this.chat.deliver(item);
    return this.sends.deliver(item);
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
    this.notices.add(level, text, this.clock.now());
    if (level === 'error') this.events.emit('error', { code: 'ERR_NOTICE', message: text });
    this.changed(true);
  }

  private changed(urgent = false): void {
    if (!this.stopping) this.publisher.markDirty(urgent);
  }

  private buildSnapshot(): EngineSnapshot {
    return assembleSnapshot({
      selfId: this.selfId,
      name: this.o.name,
      now: this.clock.now(),
      connections: this.connections,
      history: this.history,
      transfers: this.transfers,
      sends: this.sends,
      pairing: this.pairing,
      notices: this.notices,
      ...(this.relayHome ? { relay: this.relayHome.describe() } : {}),
    });
  }
}
