/**
 * The client side of a home relay: one registration connection (ALPN
 * peerdeck-relay/1), kept up with keepalives, re-made after every drop with
 * backoff, and the relay's device ID pinned (given as host:port#ID, or on first
 * use; a changed one is refused loudly, ERR_CERT_CHANGED, and never trusted).
 *
 * Keepalive: every KEEPALIVE_MS ± 10 % (relay.md R3: below aggressive NAT TCP
 * timeouts; the relay drops a client silent for 150 s). No byte for
 * DEAD_AFTER_MS (2.5 × keepalive) or no ACK within KEEPALIVE_ACK_TIMEOUT_MS
 * counts as a dead relay: the connection is closed and re-made.
 * Reconnect backoff 1 s × 1.5, capped at 60 s; after UNAVAILABLE_AFTER_FAILURES
 * failed attempts in a row the state says `unavailable` (and it keeps trying).
 *
 * Pushed envelopes go to `onPush`; the caller ACKs them with `ack()` once they
 * are stored or refused for good, so an envelope is deleted at the relay only
 * after the recipient has it.
 */
import type { Clock, Random, TimerHandle } from '../clock.js';
import { EngineError, isEngineError } from '../errors.js';
import type { Identity } from '../identity.js';
import { RelayChannel } from '../relay-wire/relay-channel.js';
import { dialTls } from '../tls/tls-dialer.js';
import { ALPN_RELAY } from '../tls/tls-options.js';
import type { DeviceId } from '../../protocol/device-id.js';
import type { RelayMessage, RelayRefusalCode } from '../../protocol/relay/relay-messages.js';
import type { RelayAddress } from './relay-address.js';

export const KEEPALIVE_MS = 60_000;
export const KEEPALIVE_JITTER = 0.1;
export const KEEPALIVE_ACK_TIMEOUT_MS = 10_000;
export const RECONNECT_FIRST_MS = 1_000;
export const RECONNECT_FACTOR = 1.5;
export const RECONNECT_MAX_MS = 60_000;
export const UNAVAILABLE_AFTER_FAILURES = 3;
/** How long a deposit waits for RELAY_STORED / RELAY_REFUSED. */
export const DEPOSIT_TIMEOUT_MS = 10_000;

export type RelayClientState =
  | { readonly state: 'connecting'; readonly address: string; readonly failures: number; readonly reason?: string }
  | { readonly state: 'registered'; readonly address: string; readonly relayId: DeviceId; readonly since: number; readonly lastKeepaliveAt: number | null; readonly held: number }
  | { readonly state: 'unavailable'; readonly address: string; readonly failures: number; readonly reason: string }
  | { readonly state: 'stopped'; readonly address: string };

/** Where the relay's pinned ID lives (the store, behind an interface). */
export interface RelayPins {
  get(hostPort: string): DeviceId | undefined;
  set(hostPort: string, id: DeviceId): void;
}

export interface RelayPush {
  readonly id: string;
  readonly from: DeviceId;
  readonly at: number;
  readonly envelope: Buffer;
}

export type DepositOutcome =
  | { readonly ok: true; readonly where: 'held' | 'pushed' | 'duplicate' }
  | { readonly ok: false; readonly code: RelayRefusalCode | 'UNAVAILABLE' | 'TIMEOUT'; readonly reason: string };

export interface RelayClientOptions {
  readonly address: RelayAddress;
  readonly identity: Pick<Identity, 'certPem' | 'keyPem' | 'deviceId'>;
  readonly clock: Clock;
  readonly random: Random;
  readonly pins: RelayPins;
  readonly keepaliveMs?: number;
  readonly onPush?: (push: RelayPush) => void;
  readonly onState?: (state: RelayClientState) => void;
}

interface PendingDeposit {
  readonly resolve: (o: DepositOutcome) => void;
  readonly timer: TimerHandle;
}

export class RelayClient {
  private current: RelayClientState;
  private channel: RelayChannel | undefined;
  private stopped = true;
  private failures = 0;
  private retryTimer: TimerHandle | undefined;
  private keepaliveTimer: TimerHandle | undefined;
  private ackTimer: TimerHandle | undefined;
  private keepaliveN = 0;
  private readonly deposits = new Map<string, PendingDeposit>();
  private readonly keepaliveMs: number;

  constructor(private readonly opts: RelayClientOptions) {
    this.keepaliveMs = opts.keepaliveMs ?? KEEPALIVE_MS;
    this.current = { state: 'stopped', address: opts.address.hostPort };
  }

  get state(): RelayClientState {
    return this.current;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
    this.channel?.end();
    this.channel = undefined;
    this.failDeposits('UNAVAILABLE', 'relay client stopped');
    this.setState({ state: 'stopped', address: this.opts.address.hostPort });
  }

  /** Deposit one sealed envelope for `to`. Never throws; the outcome says what the relay did. */
  deposit(to: DeviceId, id: string, envelope: Buffer): Promise<DepositOutcome> {
    const ch = this.channel;
    if (!ch || this.current.state !== 'registered') {
      return Promise.resolve({ ok: false, code: 'UNAVAILABLE', reason: `relay ${this.opts.address.hostPort} is ${this.current.state}` });
    }
    this.deposits.get(id)?.resolve({ ok: false, code: 'TIMEOUT', reason: 'deposited again' });
    return new Promise((resolve) => {
      const timer = this.opts.clock.setTimeout(() => {
        this.deposits.delete(id);
        resolve({ ok: false, code: 'TIMEOUT', reason: 'the relay did not answer the deposit' });
      }, DEPOSIT_TIMEOUT_MS);
      this.deposits.set(id, { resolve, timer });
      ch.send({ type: 'RELAY_DEPOSIT', to, id, envelope: envelope.toString('base64') });
    });
  }

  /** Tell the relay these pushed envelopes may be deleted. */
  ack(ids: readonly string[]): void {
    for (let i = 0; i < ids.length; i += 256) this.channel?.send({ type: 'RELAY_ACK', ids: ids.slice(i, i + 256) });
  }

  private setState(s: RelayClientState): void {
    this.current = s;
    this.opts.onState?.(s);
  }

  private connect(): void {
    if (this.stopped) return;
    const a = this.opts.address;
    if (this.current.state !== 'unavailable') {
      this.setState({ state: 'connecting', address: a.hostPort, failures: this.failures, ...this.reasonField() });
    }
    const pinned = a.deviceId ?? this.opts.pins.get(a.hostPort);
    dialTls({
      host: a.host,
      port: a.port,
      certPem: this.opts.identity.certPem,
      keyPem: this.opts.identity.keyPem,
      alpn: ALPN_RELAY,
      expectedDeviceId: pinned,
      clock: this.opts.clock,
      idleTimeoutMs: Math.round(this.keepaliveMs * 2.5),
    }).then(
      (socket) => {
        if (this.stopped) return socket.close();
        if (!pinned) this.opts.pins.set(a.hostPort, socket.deviceId); // trust on first use
        const ch = new RelayChannel(socket, {
          onMessage: (m) => this.onMessage(ch, m),
          onClose: (err) => this.onClose(ch, err?.code ?? 'closed', err?.message ?? 'the relay closed the connection'),
        });
        this.channel = ch;
      },
      (err: unknown) => this.onFailure(isEngineError(err) ? err : new EngineError('ERR_RELAY_UNAVAILABLE', String(err), 'retryable')),
    );
  }

  private lastReason: string | undefined;
  private reasonField(): { reason?: string } {
    return this.lastReason ? { reason: this.lastReason } : {};
  }

  private onMessage(ch: RelayChannel, m: RelayMessage): void {
    if (ch !== this.channel) return;
    switch (m.type) {
      case 'RELAY_OK':
        this.failures = 0;
        this.lastReason = undefined;
        this.setState({
          state: 'registered',
          address: this.opts.address.hostPort,
          relayId: ch.socket.deviceId,
          since: this.opts.clock.wallNow(),
          lastKeepaliveAt: null,
          held: m.held,
        });
        this.armKeepalive();
        return;
      case 'RELAY_KEEPALIVE':
        ch.send({ type: 'RELAY_KEEPALIVE_ACK', n: m.n });
        return;
      case 'RELAY_KEEPALIVE_ACK':
        this.opts.clock.clearTimeout(this.ackTimer);
        this.ackTimer = undefined;
        if (this.current.state === 'registered') this.setState({ ...this.current, lastKeepaliveAt: this.opts.clock.wallNow() });
        return;
      case 'RELAY_PUSH':
        this.opts.onPush?.({ id: m.id, from: m.from as DeviceId, at: m.at, envelope: Buffer.from(m.envelope, 'base64') });
        return;
      case 'RELAY_STORED':
        this.settleDeposit(m.id, { ok: true, where: m.where });
        return;
      case 'RELAY_REFUSED':
        if (m.id && this.deposits.has(m.id)) {
          this.settleDeposit(m.id, m.code === 'DUPLICATE' ? { ok: true, where: 'duplicate' } : { ok: false, code: m.code, reason: m.reason ?? m.code });
          return;
        }
        // A refusal of the registration itself (NOT_ALLOWED, FULL, REPLACED): the relay closes next.
        this.lastReason = `${m.code}${m.reason ? `: ${m.reason}` : ''}`;
        return;
      default:
        ch.socket.close(new EngineError('ERR_RELAY_PROTOCOL', `${m.type} does not go from a relay to a client`, 'peer-fault'));
    }
  }

  private settleDeposit(id: string, o: DepositOutcome): void {
    const p = this.deposits.get(id);
    if (!p) return;
    this.deposits.delete(id);
    this.opts.clock.clearTimeout(p.timer);
    p.resolve(o);
  }

  private failDeposits(code: 'UNAVAILABLE', reason: string): void {
    for (const id of [...this.deposits.keys()]) this.settleDeposit(id, { ok: false, code, reason });
  }

  private onClose(ch: RelayChannel, code: string, message: string): void {
    if (ch !== this.channel) return;
    this.channel = undefined;
    this.clearTimers();
    this.failDeposits('UNAVAILABLE', 'the relay connection dropped');
    if (this.stopped) return;
    const wasRegistered = this.current.state === 'registered';
    this.onFailure(new EngineError('ERR_RELAY_UNAVAILABLE', this.lastReason ?? `${code}: ${message}`, 'retryable'), wasRegistered);
  }

  private onFailure(err: EngineError, wasRegistered = false): void {
    if (this.stopped) return;
    // A registration that was up and then dropped retries at once (NAT reboot, relay restart); failures count only from there.
    if (wasRegistered) this.failures = 0;
    else this.failures++;
    const reason = err.code === 'ERR_CERT_CHANGED' ? `the relay's device ID changed (refused): ${err.message}` : (this.lastReason ?? err.message);
    this.lastReason = reason;
    if (this.failures >= UNAVAILABLE_AFTER_FAILURES) {
      this.setState({ state: 'unavailable', address: this.opts.address.hostPort, failures: this.failures, reason });
    } else {
      this.setState({ state: 'connecting', address: this.opts.address.hostPort, failures: this.failures, reason });
    }
    const delay = wasRegistered ? 0 : Math.min(RECONNECT_MAX_MS, RECONNECT_FIRST_MS * RECONNECT_FACTOR ** Math.max(0, this.failures - 1));
    this.retryTimer = this.opts.clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.connect();
    }, delay);
  }

  private armKeepalive(): void {
    this.opts.clock.clearTimeout(this.keepaliveTimer);
    const jitter = 1 + KEEPALIVE_JITTER * (2 * this.opts.random.next() - 1);
    this.keepaliveTimer = this.opts.clock.setTimeout(() => {
      const ch = this.channel;
      if (!ch) return;
      ch.send({ type: 'RELAY_KEEPALIVE', n: ++this.keepaliveN });
      this.ackTimer ??= this.opts.clock.setTimeout(() => {
        this.ackTimer = undefined;
        ch.socket.close(new EngineError('ERR_IDLE_TIMEOUT', `no keepalive answer from the relay in ${KEEPALIVE_ACK_TIMEOUT_MS} ms`, 'retryable'));
      }, KEEPALIVE_ACK_TIMEOUT_MS);
      this.armKeepalive();
    }, Math.round(this.keepaliveMs * jitter));
  }

  private clearTimers(): void {
    for (const t of [this.retryTimer, this.keepaliveTimer, this.ackTimer]) this.opts.clock.clearTimeout(t);
    this.retryTimer = this.keepaliveTimer = this.ackTimer = undefined;
  }
}
