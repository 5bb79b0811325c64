/**
 * `peerdeck relay`: its own composition over the same TLS listener and framing
 * as a peer (no engine). A client registers by completing the mutual-TLS
 * handshake on ALPN peerdeck-relay/1: its device ID is the SHA-256 of the
 * certificate it presented there, never an ID from a payload. The last
 * registration of an ID wins (the old socket gets REFUSED REPLACED). Deposits
 * are pushed at once to a registered recipient and held in RAM otherwise,
 * until the recipient ACKs; every limit refuses with a typed RELAY_REFUSED.
 */
import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { Identity } from '../core/identity.js';
import { RelayChannel } from '../core/relay-wire/relay-channel.js';
import { createTlsListener, type TlsListener } from '../core/tls/tls-listener.js';
import { RELAY_ALPNS } from '../core/tls/tls-options.js';
import type { PeerSocket } from '../core/tls/peer-socket.js';
import type { DeviceId } from '../protocol/device-id.js';
import { peekEnvelope } from '../protocol/relay/envelope.js';
import { RELAY_PROTOCOL_VERSION, type RelayMessage, type RelayRefusalCode } from '../protocol/relay/relay-messages.js';
import { DepositRate } from './deposit-rate.js';
import { Mailbox, type HeldEnvelope } from './mailbox.js';
import { DEFAULT_RELAY_LIMITS, type RelayLimits } from './relay-limits.js';
import type { RelayEvent } from './relay-events.js';

export interface RelayServerOptions {
  readonly identity: Identity;
  readonly host: string;
  readonly port: number;
  readonly clock: Clock;
  readonly limits?: Partial<RelayLimits>;
  /** When set, only these device IDs may register, deposit, or be deposited for. */
  readonly allow?: ReadonlySet<DeviceId>;
}

export interface RelayStats {
  readonly clients: number;
  readonly heldEnvelopes: number;
  readonly heldBytes: number;
}

interface Client {
  readonly id: DeviceId;
  readonly channel: RelayChannel;
  /** Envelope ids pushed on this connection and not yet ACKed (not pushed twice on one connection). */
  readonly pushed: Set<string>;
}

export class RelayServer extends EventEmitter<{ event: [RelayEvent] }> {
  readonly limits: RelayLimits;
  readonly mailbox: Mailbox;
  private readonly rate: DepositRate;
  private readonly clients = new Map<DeviceId, Client>();
  private readonly listener: TlsListener;
  private sweepTimer: TimerHandle | undefined;

  constructor(private readonly opts: RelayServerOptions) {
    super();
    this.limits = { ...DEFAULT_RELAY_LIMITS, ...opts.limits };
    this.mailbox = new Mailbox(this.limits);
    this.rate = new DepositRate(this.limits.depositsPerMinute);
    this.listener = createTlsListener({
      certPem: opts.identity.certPem,
      keyPem: opts.identity.keyPem,
      host: opts.host,
      port: opts.port,
      clock: opts.clock,
      alpns: RELAY_ALPNS,
      // Admission is decided after the handshake, with a typed refusal the client can show.
      authorize: () => 'accept',
      idleTimeoutMs: this.limits.silentDropMs,
    });
    this.listener.on('connection', (s) => this.onConnection(s));
  }

  get deviceId(): DeviceId {
    return this.opts.identity.deviceId;
  }

  stats(): RelayStats {
    return { clients: this.clients.size, heldEnvelopes: this.mailbox.heldEnvelopes, heldBytes: this.mailbox.heldBytes };
  }

  /** Listen; resolves with the bound port. */
  async start(): Promise<number> {
    const port = await this.listener.listen();
    this.armSweep();
    return port;
  }

  async close(): Promise<void> {
    this.opts.clock.clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
    await this.listener.close();
    this.clients.clear();
  }

  private now(): number {
    return this.opts.clock.now();
  }
  /** Event and push times: wall-clock whole ms. */
  private wallNow(): number {
    return Math.floor(this.opts.clock.wallNow());
  }

  private emitEvent(e: RelayEvent): void {
    this.emit('event', e);
  }

  private allowed(id: DeviceId): boolean {
    return !this.opts.allow || this.opts.allow.has(id);
  }

  private refuse(channel: RelayChannel, who: DeviceId, code: RelayRefusalCode, reason: string, extra: { id?: string; bytes?: number } = {}): void {
    channel.send({ type: 'RELAY_REFUSED', code, reason, ...(extra.id ? { id: extra.id } : {}) });
    this.emitEvent({ type: 'refused', deviceId: who, code, ...extra, at: this.wallNow() });
  }

  private onConnection(socket: PeerSocket): void {
    const id = socket.deviceId;
    // Set once admitted; messages before that (there are none: we answer first) are ignored.
    const ref: { client?: Client } = {};
    const channel = new RelayChannel(socket, {
      onMessage: (msg) => {
        if (ref.client) this.onMessage(ref.client, msg);
      },
      onClose: (err) => {
        const client = ref.client;
        if (!client || this.clients.get(id) !== client) return;
        this.clients.delete(id);
        this.emitEvent({ type: 'left', deviceId: id, reason: err?.code ?? 'closed', at: this.wallNow() });
      },
    });
    if (!this.allowed(id)) {
      this.refuse(channel, id, 'NOT_ALLOWED', 'this relay serves only the device IDs on its allow list');
      channel.end();
      return;
    }
    const old = this.clients.get(id);
    if (!old && this.clients.size >= this.limits.maxClients) {
      this.refuse(channel, id, 'FULL', `this relay serves at most ${this.limits.maxClients} clients`);
      channel.end();
      return;
    }
    const client: Client = { id, channel, pushed: new Set() };
    ref.client = client;
    this.clients.set(id, client);
    if (old) old.channel.end({ type: 'RELAY_REFUSED', code: 'REPLACED', reason: 'a newer registration of this device ID took over' });
    const held = this.mailbox.heldFor(id);
    channel.send({
      type: 'RELAY_OK',
      v: RELAY_PROTOCOL_VERSION,
      pingMs: this.limits.pingMs,
      limits: {
        maxEnvelopeBytes: this.limits.maxEnvelopeBytes,
        maxQueueEnvelopes: this.limits.maxQueueEnvelopes,
        maxQueueBytes: this.limits.maxQueueBytes,
        ttlMs: this.limits.ttlMs,
      },
      held,
    });
    this.emitEvent({ type: 'registered', deviceId: id, held, replaced: old !== undefined, at: this.wallNow() });
    this.pushHeld(client, false);
  }

  private onMessage(c: Client, msg: RelayMessage): void {
    switch (msg.type) {
      case 'RELAY_KEEPALIVE':
        c.channel.send({ type: 'RELAY_KEEPALIVE_ACK', n: msg.n });
        return;
      case 'RELAY_KEEPALIVE_ACK':
        return;
      case 'RELAY_DEPOSIT':
        this.onDeposit(c, msg);
        return;
      case 'RELAY_FETCH':
        this.pushHeld(c, true);
        return;
      case 'RELAY_ACK':
        for (const e of this.mailbox.ack(c.id, msg.ids)) {
          c.pushed.delete(e.id);
          this.emitEvent({ type: 'acked', to: c.id, id: e.id, at: this.wallNow() });
        }
        return;
      default:
        this.refuse(c.channel, c.id, 'UNEXPECTED', `${msg.type} does not go from a client to a relay`);
        c.channel.end();
    }
  }

  private onDeposit(c: Client, msg: Extract<RelayMessage, { type: 'RELAY_DEPOSIT' }>): void {
    const bytes = Buffer.from(msg.envelope, 'base64');
    const ref = { id: msg.id, bytes: bytes.length };
    if (bytes.length > this.limits.maxEnvelopeBytes) {
      return this.refuse(c.channel, c.id, 'TOO_LARGE', `envelopes are at most ${this.limits.maxEnvelopeBytes} bytes here`, ref);
    }
    let header;
    try {
      header = peekEnvelope(bytes);
    } catch {
      return this.refuse(c.channel, c.id, 'BAD_ENVELOPE', 'the envelope header does not parse', ref);
    }
    // The sender inside must be the certificate that deposits it, and the routing must agree.
    if (header.to !== msg.to || header.from !== c.id || header.id !== msg.id) {
      return this.refuse(c.channel, c.id, 'BAD_ENVELOPE', 'the envelope names another sender, recipient or id', ref);
    }
    if (!this.allowed(msg.to)) {
      return this.refuse(c.channel, c.id, 'NOT_ALLOWED', 'the recipient is not served by this relay', ref);
    }
    if (!this.rate.take(c.id, this.now())) {
      return this.refuse(c.channel, c.id, 'RATE', `at most ${this.limits.depositsPerMinute} deposits per minute`, ref);
    }
    const at = this.now();
    const result = this.mailbox.deposit({ id: msg.id, to: msg.to, from: c.id, at: this.wallNow(), bytes }, at);
    if (!result.ok) return this.refuse(c.channel, c.id, result.code, result.reason, ref);
    this.emitEvent({ type: 'deposit', from: c.id, to: msg.to, id: msg.id, bytes: bytes.length, at: this.wallNow() });
    const recipient = this.clients.get(msg.to);
    const held = this.mailbox.list(msg.to).find((e) => e.id === msg.id)!;
    const pushed = recipient ? this.push(recipient, held) : false;
    c.channel.send({ type: 'RELAY_STORED', id: msg.id, to: msg.to, where: pushed ? 'pushed' : 'held' });
  }

  /** Push what is held for `c`; `again` re-sends envelopes already pushed on this connection (FETCH). */
  private pushHeld(c: Client, again: boolean): void {
    for (const e of this.mailbox.list(c.id)) {
      if (again || !c.pushed.has(e.id)) this.push(c, e);
    }
  }

  private push(c: Client, e: HeldEnvelope): boolean {
    const sent = c.channel.send({ type: 'RELAY_PUSH', id: e.id, from: e.from, at: e.at, envelope: e.bytes.toString('base64') });
    if (c.channel.isClosed) return false;
    c.pushed.add(e.id);
    this.emitEvent({ type: 'pushed', to: c.id, id: e.id, bytes: e.bytes.length, at: this.wallNow() });
    void sent; // a full socket buffer still delivers; the envelope stays held until ACK either way
    return true;
  }

  private armSweep(): void {
    this.sweepTimer = this.opts.clock.setTimeout(() => {
      for (const e of this.mailbox.sweep(this.now())) {
        this.emitEvent({ type: 'expired', to: e.to, from: e.from, id: e.id, bytes: e.bytes.length, at: this.wallNow() });
      }
      this.armSweep();
    }, this.limits.sweepMs);
  }
}
