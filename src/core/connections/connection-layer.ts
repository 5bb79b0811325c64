/**
 * The connection layer: the TLS listener, discovery hints, dialling and
 * reconnecting (see Redialer), sessions with trusted peers by device ID and the
 * duplicate-session tie-break. Services reach peers only through it: `send`,
 * `isOnline`, `want` (connect soon), `dialPeer` for a connection of another
 * ALPN at the address that reaches the peer, and inbound connections of other
 * ALPNs handed to whoever registered that ALPN. Session messages, session up
 * and down go to the composer (which routes them to services).
 */
import type { DeviceId } from '../../protocol/device-id.js';
import type { Message } from '../../protocol/messages/index.js';
import type { PinnedPeer } from '../../store/store.js';
import type { Clock, Random } from '../clock.js';
import { Discovery } from '../discovery/discovery.js';
import type { PeerView } from '../engine-api.js';
import { EngineError } from '../errors.js';
import { MessageChannel } from './message-channel.js';
import { preferredSession, Session, SESSION_TIEBREAK_BYTES, SESSION_TIEBREAK_LABEL } from './session.js';
import type { PeerSocket } from '../tls/peer-socket.js';
import { dialTls } from '../tls/tls-dialer.js';
import { onDeparture, onSighting } from './discovery-trust.js';
import type { SessionContext } from './service.js';
import { createTlsListener, type AuthorizeRequest, type TlsListener } from '../tls/tls-listener.js';
import { ALPN_SESSION, type ALPN_APP, type ALPN_BULK, type ALPN_PAIRING } from '../tls/tls-options.js';
import { PeerDirectory, type PeerRecord } from './peer-directory.js';
import { parseAddress, Redialer, type HostPort } from './redialer.js';

export type Alpn = typeof ALPN_SESSION | typeof ALPN_PAIRING | typeof ALPN_BULK | typeof ALPN_APP;

/** Who takes inbound connections of one (non-session) ALPN. */
export interface AlpnHandler {
  admit(req: AuthorizeRequest): boolean;
  incoming(sock: PeerSocket): void;
}

export interface ConnectionPins {
  listPins(): PinnedPeer[];
  getPin(id: DeviceId): PinnedPeer | undefined;
  putPin(pin: PinnedPeer): void;
}

export interface ConnectionEvents {
  listening(address: string, port: number): void;
  discovered(e: { deviceId: DeviceId; name: string; address: string; port: number; verified: boolean }): void;
  left(id: DeviceId): void;
  certChanged(e: { expected: DeviceId; got: DeviceId; address: string }, notice: string): void;
  notice(level: 'warn' | 'error', text: string): void;
  /** A session with a trusted peer is ready (`wasOnline`: it replaced the live one). */
  sessionUp(peerId: DeviceId, address: string, wasOnline: boolean): void;
  /** The live session with `peerId` is gone (before any redial is scheduled). */
  sessionDown(peerId: DeviceId, reason: string): void;
  /** A session message (not HELLO/heartbeat/BYE), with the session it came in on. */
  message(peerId: DeviceId, msg: Message, session: SessionContext): void;
  changed(urgent?: boolean): void;
  error(err: unknown): void;
}

export interface ConnectionLayerOptions {
  selfId: DeviceId;
  identity: { certPem: string; keyPem: string };
  name: () => string;
  listen: HostPort | null;
  discovery: { name: string; port: number; broadcast?: string[] } | null;
  staticPeers: readonly HostPort[];
  clock: Clock;
  random: Random;
  pins: ConnectionPins;
  events: ConnectionEvents;
}

export class ConnectionLayer {
  readonly dir = new PeerDirectory();
  private readonly redial: Redialer;
  private readonly alpns = new Map<string, AlpnHandler>();
  private listener: TlsListener | undefined;
  private discovery: Discovery | undefined;
  private listenPort = 0;
  private stopping = false;
  /** Sessions we dialled that are still exchanging HELLO: no second dial to that peer meanwhile. */
  private readonly handshaking = new Map<DeviceId, Session>();
  /** The `--peer` / `peers` setting addresses (a running engine takes a new list at once). */
  private staticPeers: readonly HostPort[];

  constructor(private readonly o: ConnectionLayerOptions) {
    this.staticPeers = o.staticPeers;
    const currentStatic = () => this.staticPeers;
    this.redial = new Redialer({
      selfId: o.selfId,
      clock: o.clock,
      dir: this.dir,
      get staticPeers() {
        return currentStatic();
      },
      getPin: (id) => o.pins.getPin(id),
      dialSession: (host, port, expected) => this.dial(host, port, ALPN_SESSION, expected),
      isConnecting: (id) => this.isConnecting(id),
      openSession: (s, mine) => this.openSession(s, mine),
      stopping: () => this.stopping,
      certChanged: (e, notice) => o.events.certChanged(e, notice),
      changed: () => o.events.changed(),
      bg: (p) => this.bg(p),
    });
  }

  /** Inbound connections with this ALPN go to `handler` (sessions are the layer's own). */
  handle(alpn: Exclude<Alpn, typeof ALPN_SESSION>, handler: AlpnHandler): void {
    this.alpns.set(alpn, handler);
  }

  async start(): Promise<void> {
    const { listen, discovery, clock } = this.o;
    if (listen) {
      this.listener = createTlsListener({ ...this.o.identity, host: listen.host, port: listen.port, clock, random: this.o.random, authorize: (req) => this.authorize(req) });
      this.listener.on('connection', (s) => this.onInbound(s));
      this.listener.on('error', (err) => this.o.events.notice('error', `listener: ${err.message}`));
      this.listenPort = await this.listener.listen();
      this.o.events.listening(listen.host, this.listenPort);
    }
    if (discovery) {
      this.discovery = new Discovery({
        selfId: this.o.selfId,
        name: discovery.name,
        tcpPort: this.listenPort || 1,
        discoveryPort: discovery.port,
        ...(discovery.broadcast?.length ? { broadcast: discovery.broadcast } : {}),
        clock,
        random: this.o.random,
      });
      this.discovery.on('peer-seen', (e) => this.onDiscovered(e.deviceId, e.name, e.address, e.port, e.firstTime));
      this.discovery.on('peer-stale', (e) => this.onDiscoveryStale(e.deviceId));
      this.discovery.on('peer-gone', (e) => this.onDiscoveryGone(e.deviceId, e.reason));
      this.discovery.on('duplicate-identity', (e) => this.o.events.notice('warn', `another device announces our own ID from ${e.address}`));
      await this.discovery.start();
    }
  }

  /** Dial every pinned peer and every static address. */
  connectAll(): void {
    for (const pin of this.o.pins.listPins()) this.redial.connectSoon(pin.deviceId, 0);
    for (const sp of this.staticPeers) this.bg(this.redial.dialStatic(sp.host, sp.port));
  }

  /** A new display name (announced at once) and static peer list (new addresses dialled at once). */
  reconfigure(p: { name?: string; staticPeers?: readonly HostPort[] }): void {
    if (p.name !== undefined) this.discovery?.setName(p.name);
    if (p.staticPeers === undefined) return;
    const had = new Set(this.staticPeers.map((sp) => `${sp.host}:${sp.port}`));
    this.staticPeers = p.staticPeers;
    if (this.stopping) return;
    for (const sp of p.staticPeers) if (!had.has(`${sp.host}:${sp.port}`)) this.bg(this.redial.dialStatic(sp.host, sp.port));
  }

  /** First step of shutdown: refuse new connections, cancel every scheduled dial. */
  beginStop(): void {
    this.stopping = true;
    this.redial.cancelAll();
  }

  /** Last step: say BYE on every session, stop discovery and the listener. */
  async close(): Promise<void> {
    for (const r of this.dir.all()) r.session?.close('ERR_CONNECTION_CLOSED', 'shutting down', true);
    await this.discovery?.stop().catch(() => {});
    await this.listener?.close().catch(() => {});
  }

  // ---------------------------------------------------------------- what services use

  get port(): number {
    return this.listenPort;
  }

  get listenAddress(): string | undefined {
    return this.listener ? `${this.o.listen!.host}:${this.listenPort}` : undefined;
  }

  get hintMismatches(): number {
    return this.redial.hintMismatches;
  }

  isOnline(id: DeviceId): boolean {
    return this.dir.online(id);
  }

  /** Send on the live session; false when the peer is not online. */
  send(id: DeviceId, msg: Message): boolean {
    const s = this.dir.get(id)?.session;
    if (!s?.isReady) return false;
    return s.send(msg) || true;
  }

  /** Connect to a pinned peer soon (0 = now; no delay: the next backoff step). */
  want(id: DeviceId, delayMs?: number): void {
    this.redial.connectSoon(id, delayMs);
  }

  /** Stop redialling `id` and close its live session (trust removed). */
  disconnect(id: DeviceId, code: string, message: string): void {
    const r = this.dir.get(id);
    this.redial.cancel(id);
    r?.session?.close(code, message, true);
  }

  /** Where `id` can be dialled: its discovery hint, else its last dial address. */
  addressOf(id: DeviceId): HostPort | undefined {
    return this.dir.get(id)?.hint ?? parseAddress(this.o.pins.getPin(id)?.address);
  }

  hintOf(id: DeviceId): HostPort | undefined {
    return this.dir.get(id)?.hint;
  }

  /** A connection of another ALPN to a trusted peer, at the address its live session came from. */
  dialPeer(id: DeviceId, alpn: Alpn): Promise<PeerSocket> {
    const s = this.dir.get(id)?.session;
    const port = s?.peerHello?.port ?? 0;
    const addr = s && port > 0 ? { host: s.remoteAddress, port } : parseAddress(this.o.pins.getPin(id)?.address);
    if (!addr) return Promise.reject(new EngineError('ERR_PEER_UNREACHABLE', 'no address for a bulk connection to this peer', 'retryable'));
    return this.dial(addr.host, addr.port, alpn, id);
  }

  dial(host: string, port: number, alpn: Alpn, expectedDeviceId?: DeviceId): Promise<PeerSocket> {
    return dialTls({ host, port, ...this.o.identity, alpn, clock: this.o.clock, ...(expectedDeviceId ? { expectedDeviceId } : {}) });
  }

  /** Ask the LAN who is there now. */
  query(): void {
    this.discovery?.query();
  }

  peers(): PeerRecord[] {
    return this.dir.all();
  }

  views(): PeerView[] {
    return this.dir.views(this.o.pins.listPins());
  }

  // ---------------------------------------------------------------- inbound

  private authorize(req: AuthorizeRequest): 'accept' | 'reject' {
    if (this.stopping) return 'reject';
    if (req.deviceId === this.o.selfId) return 'reject';
    if (req.alpn === ALPN_SESSION) return this.o.pins.getPin(req.deviceId) ? 'accept' : 'reject';
    const h = this.alpns.get(req.alpn);
    return h?.admit(req) ? 'accept' : 'reject';
  }

  private onInbound(s: PeerSocket): void {
    if (s.alpn === ALPN_SESSION) return this.openSession(s, false);
    const h = this.alpns.get(s.alpn);
    if (h) return h.incoming(s);
    s.close();
  }

  // ---------------------------------------------------------------- sessions

  private isConnecting(id: DeviceId): boolean {
    const r = this.dir.get(id);
    return !!(r?.session || r?.connecting || this.handshaking.has(id));
  }

  private openSession(sock: PeerSocket, initiatedBySelf: boolean): void {
    const channel = new MessageChannel(sock);
    const tieBreak = sock.exportKeyingMaterial(SESSION_TIEBREAK_BYTES, SESSION_TIEBREAK_LABEL);
    const info = { selfName: this.o.name(), listenPort: this.listenPort };
    const session = new Session(sock.deviceId, initiatedBySelf, tieBreak, sock.remoteAddress, channel, info, this.o.clock, {
      onReady: (s) => this.sessionReady(s),
      onMessage: (s, m) => this.onSessionMessage(s, m),
      onRtt: (s, ms) => {
        const r = this.dir.get(s.peerId);
        if (r && r.session === s) {
          r.rttMs = ms;
          r.lastSeen = this.o.clock.wallNow();
          this.o.events.changed();
        }
      },
      onClosed: (s, why) => this.sessionClosed(s, why),
    });
    if (initiatedBySelf) this.handshaking.set(sock.deviceId, session);
  }

  private sessionReady(s: Session): void {
    if (this.handshaking.get(s.peerId) === s) this.handshaking.delete(s.peerId);
    if (!this.o.pins.getPin(s.peerId) || this.stopping) {
      s.deny(this.stopping ? 'SHUTTING_DOWN' : 'NOT_TRUSTED', 'not trusted');
      return;
    }
    const r = this.dir.ensure(s.peerId);
    if (r.session && r.session !== s && r.session.isReady) {
      const keep = preferredSession(this.o.selfId, r.session, s);
      const drop = keep === s ? r.session : s;
      r.session = keep;
      drop.deny('DUPLICATE', 'a connection with this peer already exists');
      if (keep !== s) return;
    }
    const wasOnline = r.session === s;
    r.session = s;
    r.connecting = false;
    r.lastSeen = this.o.clock.wallNow();
    if (s.peerHello?.name && !r.announcedName) r.announcedName = s.peerHello.name;
    this.redial.cancel(s.peerId);
    // Remember where a trusted peer can be dialled (its listening port, not our source port).
    const pin = this.o.pins.getPin(s.peerId)!;
    const port = s.peerHello?.port ?? 0;
    if (port > 0) {
      const address = `${s.remoteAddress.includes(':') ? `[${s.remoteAddress}]` : s.remoteAddress}:${port}`;
      if (pin.address !== address) this.o.pins.putPin({ ...pin, address });
    }
    this.o.events.sessionUp(s.peerId, s.remoteAddress, wasOnline);
  }

  private sessionClosed(s: Session, why: { code: string; message: string; bye: boolean }): void {
    const r = this.dir.get(s.peerId);
    if (this.handshaking.get(s.peerId) === s) {
      this.handshaking.delete(s.peerId);
      if (r && !r.session && !why.bye) this.redial.retryLater(s.peerId); // it never came up (denied, timed out)
    }
    if (!r || r.session !== s) return;
    r.session = undefined;
    r.rttMs = undefined;
    this.o.events.sessionDown(s.peerId, why.message);
    if (!why.bye && why.code !== 'ERR_NOT_PINNED') this.redial.connectSoon(s.peerId);
    this.o.events.changed(true);
  }

  private onSessionMessage(s: Session, m: Message): void {
    const r = this.dir.get(s.peerId);
    if (r) r.lastSeen = this.o.clock.wallNow();
    this.o.events.message(s.peerId, m, { reply: (reply) => s.send(reply), track: (work) => s.track(work), violation: (reason) => s.violation(reason) });
  }

  // ---------------------------------------------------------------- discovery

  private onDiscovered(id: DeviceId, name: string, host: string, port: number, firstTime: boolean): void {
    const r = this.dir.ensure(id);
    const moved = !r.hint || r.hint.host !== host || r.hint.port !== port;
    r.announcedName = name;
    r.hint = { host, port };
    r.discovery = 'fresh';
    r.lastSeen = this.o.clock.wallNow();
    const pinned = !!this.o.pins.getPin(id);
    const now = this.o.clock.now();
    const msSinceEvent = r.discoveredEventAt === undefined ? undefined : now - r.discoveredEventAt;
    const d = onSighting({ firstTime, moved, msSinceEvent, pinned, hasSession: !!r.session, connecting: r.connecting, hintBackedOff: this.redial.hints.backedOff(id, r.hint) });
    if (d.emit) {
      r.discoveredEventAt = now;
      this.o.events.discovered({ deviceId: id, name, address: host, port, verified: pinned });
    }
    // Seen again: a trusted peer we are not connected to is dialled at once.
    if (d.dialNow) this.redial.connectSoon(id, 0);
    this.o.events.changed();
  }

  private onDiscoveryStale(id: DeviceId): void {
    const r = this.dir.get(id);
    if (r) r.discovery = 'stale';
    this.o.events.changed();
  }

  private onDiscoveryGone(id: DeviceId, reason: string): void {
    const r = this.dir.get(id);
    if (!r) return;
    r.discovery = 'none';
    if (onDeparture(reason, !!r.session).emitLeft) this.o.events.left(id);
    this.dir.prune(id, !!this.o.pins.getPin(id));
    this.o.events.changed(true);
  }

  private bg(p: Promise<unknown>): void {
    p.catch((err: unknown) => this.o.events.error(err));
  }
}
