/**
 * LAN discovery over UDP broadcast: announce ourselves (PING), answer queries
 * (PONG), say goodbye (BYE), and keep a table of who was heard, with typed
 * events when that changes. Discovery is only a hint: it reports the source
 * address of each datagram and nothing in it is trusted (TLS decides).
 *
 * Several processes on one machine share the discovery port (SO_REUSEADDR).
 * Linux hands a *unicast* datagram to just one of the sockets bound to a port,
 * but a broadcast to all of them, so PONGs are broadcast too: a unicast reply
 * to a host running three instances would reach one of the three at random.
 * The cost (every host hears every PONG) is bounded: only a PING with the QUERY
 * flag (sent at start, about a second later, and on `query()`) is answered,
 * after a short random delay during which one pending PONG answers every query
 * that arrives, and replies are rate-limited per source IP and overall. A
 * spoofed query therefore cannot aim traffic at a victim (replies go to the
 * broadcast address, never to the claimed source) nor multiply it much.
 */
import { networkInterfaces } from 'node:os';
import type { DeviceId } from '../../protocol/device-id.js';
import { clampDisplayName, encodeDiscoveryPacket, type DiscoveryPacket } from '../../protocol/discovery-packet.js';
import type { Clock, Random, TimerHandle } from '../clock.js';
import {
  ANNOUNCE_INTERVAL_MS,
  ANNOUNCE_JITTER,
  FORGET_AFTER_MS,
  MAX_PEERS,
  MAX_RATE_LIMIT_KEYS,
  NEW_PEERS_GLOBAL,
  NEW_PEERS_PER_SOURCE,
  PONG_DELAY_MAX_MS,
  PONG_DELAY_MIN_MS,
  REPLY_GLOBAL,
  REPLY_PER_SOURCE,
  REQUERY_AFTER_MS,
  STALE_AFTER_MS,
  SWEEP_INTERVAL_MS,
} from './constants.js';
import { DiscoveryError, errnoOf } from './errors.js';
import { zeroCounters, type DiscoveryCounters, type DiscoveryErrorEvent, type DiscoveryEvents } from './events.js';
import { Intake } from './intake.js';
import { defaultBroadcastTargets, ipv4ToInt, isOwnAddress, localNetworks, type InterfaceMap, type LocalNetwork } from './local-networks.js';
import { PeerTable, type DiscoveredPeer } from './peer-table.js';
import { KeyedRateLimiter, TokenBucket } from './rate-limiter.js';
import { TypedEmitter } from '../typed-emitter.js';
import { createNodeUdpSocket, type Datagram, type UdpSocket } from './udp-socket.js';

export interface DiscoveryOptions {
  readonly selfId: DeviceId;
  /** Our display name; cut to 64 UTF-8 bytes. */
  readonly name: string;
  /** Our TCP session port, announced to peers. */
  readonly tcpPort: number;
  /** UDP port shared by every peer on the network. */
  readonly discoveryPort: number;
  /**
   * Where to send. Default: 255.255.255.255 plus each external IPv4 interface's
   * directed broadcast, re-read on every announce. Tests use ['127.255.255.255'];
   * [] means listen only.
   */
  readonly broadcast?: readonly string[];
  /** Default '0.0.0.0' (broadcasts are not delivered to a socket bound to a unicast address). */
  readonly bindAddress?: string;
  readonly clock: Clock;
  readonly random: Random;
  /** Interface list, default `os.networkInterfaces`. */
  readonly interfaces?: () => InterfaceMap;
  /** Socket factory, default a real udp4 socket (tests pass a fake). */
  readonly createSocket?: () => UdpSocket;
}

type State = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

function isPort(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 0xffff;
}

export class Discovery extends TypedEmitter<DiscoveryEvents> {
  private state: State = 'idle';
  private starting?: Promise<void>;
  private stopping?: Promise<void>;
  private socket?: UdpSocket;
  private name: string;
  private readonly counts = zeroCounters();
  private readonly table = new PeerTable({ staleAfterMs: STALE_AFTER_MS, forgetAfterMs: FORGET_AFTER_MS, maxPeers: MAX_PEERS });
  private readonly intake: Intake;
  private readonly replyPerSource: KeyedRateLimiter;
  private readonly replyOverall: TokenBucket;
  private readonly newPerSource: KeyedRateLimiter;
  private readonly newOverall: TokenBucket;
  private networks: LocalNetwork[] = [];
  private targets: string[] = [];
  private announceTimer?: TimerHandle;
  private requeryTimer?: TimerHandle;
  private sweepTimer?: TimerHandle;
  private pongTimer?: TimerHandle;

  constructor(private readonly options: DiscoveryOptions) {
    super();
    if (!isPort(options.tcpPort)) throw new DiscoveryError('ERR_DISCOVERY_OPTIONS', `TCP port ${options.tcpPort} is not in 1..65535`, 'usage');
    if (!isPort(options.discoveryPort)) {
      throw new DiscoveryError('ERR_DISCOVERY_OPTIONS', `discovery port ${options.discoveryPort} is not in 1..65535`, 'usage');
    }
    for (const address of options.broadcast ?? []) {
      if (ipv4ToInt(address) === undefined) {
        throw new DiscoveryError('ERR_DISCOVERY_OPTIONS', `broadcast address ${JSON.stringify(address)} is not an IPv4 address`, 'usage');
      }
    }
    this.name = clampDisplayName(options.name);
    this.intake = new Intake(this.counts, options.clock);
    this.replyPerSource = new KeyedRateLimiter(REPLY_PER_SOURCE, options.clock, MAX_RATE_LIMIT_KEYS);
    this.replyOverall = new TokenBucket(REPLY_GLOBAL, options.clock);
    this.newPerSource = new KeyedRateLimiter(NEW_PEERS_PER_SOURCE, options.clock, MAX_RATE_LIMIT_KEYS);
    this.newOverall = new TokenBucket(NEW_PEERS_GLOBAL, options.clock);
  }

  /** Binds the discovery port and announces. Rejects with DiscoveryError ERR_DISCOVERY_BIND (see `errno`). */
  start(): Promise<void> {
    if (this.state !== 'idle') {
      return Promise.reject(new DiscoveryError('ERR_DISCOVERY_STATE', `discovery cannot start: it is ${this.state}`));
    }
    this.state = 'starting';
    this.starting = this.open();
    return this.starting;
  }

  /** Sends BYE, stops the timers and closes the socket. Safe to call more than once, or concurrently. */
  stop(): Promise<void> {
    this.stopping ??= this.close();
    return this.stopping;
  }

  private async close(): Promise<void> {
    if (this.state === 'starting') await this.starting?.catch(() => {});
    if (this.state !== 'running') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    for (const t of [this.announceTimer, this.requeryTimer, this.pongTimer]) this.options.clock.clearTimeout(t);
    this.options.clock.clearInterval(this.sweepTimer);
    await this.sendAll({ kind: 'bye', ...this.self() });
    await this.socket?.close();
    this.socket = undefined;
    this.table.clear();
    this.intake.clear();
    this.state = 'stopped';
  }

  /** Sends a query PING now (every peer answers with a PONG). */
  query(): void {
    if (this.state === 'running') void this.sendAll({ kind: 'ping', query: true, ...this.self() });
  }

  /** Announce another display name from now on (at once: a plain PING, no query). */
  setName(name: string): void {
    this.name = clampDisplayName(name);
    if (this.state === 'running') void this.sendAll({ kind: 'ping', query: false, ...this.self() });
  }

  /** Peers heard, most recent first. */
  peers(): DiscoveredPeer[] {
    return this.table.list();
  }

  /** A copy of the counters. */
  get counters(): Readonly<DiscoveryCounters> {
    return { ...this.counts };
  }

  get running(): boolean {
    return this.state === 'running';
  }

  private async open(): Promise<void> {
    const { clock, discoveryPort } = this.options;
    const bindAddress = this.options.bindAddress ?? '0.0.0.0';
    this.refreshNetworks();
    const socket = (this.options.createSocket ?? createNodeUdpSocket)();
    socket.onMessage((d) => this.onDatagram(d));
    socket.onError((err) => {
      this.counts.socketErrors++;
      this.report('socket', err);
    });
    try {
      await socket.bind(discoveryPort, bindAddress);
    } catch (cause) {
      await socket.close();
      this.state = 'idle';
      const errno = errnoOf(cause);
      const hint = errno === 'EADDRINUSE' ? ' (another program holds it without SO_REUSEADDR)' : '';
      throw new DiscoveryError('ERR_DISCOVERY_BIND', `cannot bind UDP ${bindAddress}:${discoveryPort}: ${errno ?? String(cause)}${hint}`, 'local', errno, {
        cause,
      });
    }
    this.socket = socket;
    this.state = 'running';
    this.query();
    this.requeryTimer = clock.setTimeout(() => this.query(), this.jitter(REQUERY_AFTER_MS));
    this.scheduleAnnounce();
    this.sweepTimer = clock.setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
  }

  private self(): { deviceId: DeviceId; tcpPort: number; name: string } {
    return { deviceId: this.options.selfId, tcpPort: this.options.tcpPort, name: this.name };
  }

  private jitter(ms: number): number {
    return ms * (1 + ANNOUNCE_JITTER * (2 * this.options.random.next() - 1));
  }

  private scheduleAnnounce(): void {
    this.announceTimer = this.options.clock.setTimeout(() => {
      if (this.state !== 'running') return;
      this.refreshNetworks(); // interfaces come and go (DHCP, Wi-Fi, VPN)
      void this.sendAll({ kind: 'ping', query: false, ...this.self() });
      this.scheduleAnnounce();
    }, this.jitter(ANNOUNCE_INTERVAL_MS));
  }

  private refreshNetworks(): void {
    try {
      this.networks = localNetworks((this.options.interfaces ?? networkInterfaces)());
    } catch (err) {
      this.counts.socketErrors++;
      this.report('interfaces', err); // keep the last good list
    }
    this.targets = this.options.broadcast ? [...this.options.broadcast] : defaultBroadcastTargets(this.networks);
  }

  private onDatagram(datagram: Datagram): void {
    if (this.state !== 'running') return;
    const packet = this.intake.admit(datagram, this.networks);
    if (!packet) return;
    if (packet.deviceId === this.options.selfId) {
      this.counts.selfIgnored++;
      // Our own broadcasts come back from one of our addresses; from anywhere else it is a clone or a spoof.
      if (!isOwnAddress(datagram.address, this.networks)) {
        this.emit('duplicate-identity', { address: datagram.address, port: datagram.port });
      }
      return;
    }
    // A device ID we have not heard yet costs a token (per source address, then overall): a flood
    // of made-up IDs adds a few table entries and events, not hundreds.
    if (packet.kind !== 'bye' && !this.table.get(packet.deviceId)) {
      if (!this.newPerSource.tryTake(datagram.address) || !this.newOverall.tryTake()) {
        this.counts.newPeerLimited++;
        return;
      }
    }
    this.counts.accepted++;
    if (packet.kind === 'bye') {
      this.onBye(packet.deviceId, datagram.address);
      return;
    }
    const seen = this.table.seen(
      { deviceId: packet.deviceId, name: packet.name, address: datagram.address, port: packet.tcpPort, version: packet.version },
      this.options.clock.now(),
    );
    if (seen.evicted) this.emit('peer-gone', { deviceId: seen.evicted.deviceId, reason: 'evicted' });
    const { deviceId, name, address, port, version } = seen.peer;
    this.emit('peer-seen', { deviceId, name, address, port, version, firstTime: seen.firstTime, wasStale: seen.wasStale, via: packet.kind });
    if (packet.kind === 'ping' && packet.query) this.schedulePong(datagram.address);
  }

  /** A BYE counts only from an address the peer was heard from, so a stranger cannot trivially hide a peer. */
  private onBye(deviceId: DeviceId, address: string): void {
    const peer = this.table.get(deviceId);
    if (!peer?.addresses.includes(address)) return;
    this.table.remove(deviceId);
    this.emit('peer-gone', { deviceId, reason: 'bye' });
  }

  private schedulePong(sourceIp: string): void {
    if (this.pongTimer) return; // the pending PONG is broadcast, so it answers this query too
    if (!this.replyPerSource.tryTake(sourceIp) || !this.replyOverall.tryTake()) {
      this.counts.replyLimited++;
      return;
    }
    const delay = PONG_DELAY_MIN_MS + this.options.random.next() * (PONG_DELAY_MAX_MS - PONG_DELAY_MIN_MS);
    this.pongTimer = this.options.clock.setTimeout(() => {
      this.pongTimer = undefined;
      if (this.state === 'running') void this.sendAll({ kind: 'pong', ...this.self() });
    }, delay);
  }

  private sweep(): void {
    const { stale, forgotten } = this.table.sweep(this.options.clock.now());
    for (const p of stale) this.emit('peer-stale', { deviceId: p.deviceId, name: p.name, address: p.address, port: p.port, lastSeen: p.lastSeen });
    for (const p of forgotten) this.emit('peer-gone', { deviceId: p.deviceId, reason: 'expired' });
  }

  /** Sends one packet to every target; a failed send is counted and reported, never thrown. */
  private async sendAll(packet: DiscoveryPacket): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    const data = encodeDiscoveryPacket(packet);
    if (packet.kind === 'ping') this.counts.pingsSent++;
    else if (packet.kind === 'pong') this.counts.pongsSent++;
    else this.counts.byesSent++;
    await Promise.all(
      this.targets.map((target) =>
        socket.send(data, this.options.discoveryPort, target).catch((err: unknown) => {
          this.counts.sendErrors++;
          this.report('send', err, target);
        }),
      ),
    );
  }

  private report(during: DiscoveryErrorEvent['during'], err: unknown, target?: string): void {
    const errno = errnoOf(err);
    const message = err instanceof Error ? err.message : String(err);
    this.emit('error', { during, message, ...(errno ? { errno } : {}), ...(target ? { target } : {}) });
  }
}
