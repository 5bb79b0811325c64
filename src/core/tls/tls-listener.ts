/**
 * Mutual-TLS listener. Every inbound connection goes: TCP accept (admitted by
 * the pre-auth budget, deadlines started) → first bytes within
 * FIRST_BYTES_TIMEOUT_MS → TLS handshake → policy check → device ID from the
 * presented certificate → `authorize` → PeerSocket, or destroy, all within
 * HANDSHAKE_TIMEOUT_MS. A slot is held until then; an address that completes
 * a session or bulk handshake gets the budget's reserved share afterwards.
 * Until `authorize` says 'accept' we write no application byte, and a rejected
 * or timed-out socket is destroyed without one.
 */
import { EventEmitter } from 'node:events';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { systemRandom, type Clock, type Random, type TimerHandle } from '../clock.js';
import { EngineError } from '../errors.js';
import type { DeviceId } from '../../protocol/device-id.js';
import { inspectNegotiated, type NegotiationFailure } from './negotiated.js';
import { PeerSocket } from './peer-socket.js';
import { DEFAULT_PREAUTH_LIMITS, PreauthBudget, type PreauthLimits, type PreauthRefusal } from './preauth-budget.js';
import {
  ALPN_APP,
  ALPN_BULK,
  ALPN_SESSION,
  FIRST_BYTES_TIMEOUT_MS,
  HANDSHAKE_TIMEOUT_MS,
  PEERDECK_ALPNS,
  serverTlsOptions,
  type PeerdeckAlpn,
} from './tls-options.js';

export interface AuthorizeRequest {
  readonly deviceId: DeviceId;
  readonly alpn: PeerdeckAlpn;
  readonly remoteAddress: string;
  readonly remotePort: number;
}
export type AuthorizeDecision = 'accept' | 'reject';
/** The engine's decision; a throw or rejected promise counts as 'reject'. */
export type Authorize = (req: AuthorizeRequest) => AuthorizeDecision | Promise<AuthorizeDecision>;

export type RejectReason =
  | NegotiationFailure
  | 'unauthorized'
  | 'first-bytes-timeout'
  | 'handshake-timeout'
  | PreauthRefusal
  | 'tls-error'
  | 'closed-early';

export interface RejectedConnection {
  readonly reason: RejectReason;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly deviceId?: DeviceId;
  readonly detail?: string;
}

export interface TlsListenerEvents {
  connection: [socket: PeerSocket];
  rejected: [info: RejectedConnection];
  /** Server errors after listen() resolved; dropped if nobody listens. */
  error: [err: Error];
}

export interface TlsListenerOptions {
  readonly certPem: string;
  readonly keyPem: string;
  readonly host: string;
  readonly port: number;
  readonly authorize: Authorize;
  readonly clock: Clock;
  /** For random early drop (default: crypto randomness). */
  readonly random?: Random;
  /** TCP accept → authorize decision. */
  readonly handshakeTimeoutMs?: number;
  /** TCP accept → first byte received. */
  readonly firstBytesTimeoutMs?: number;
  /** Shared pool size (early drop then starts at min(PREAUTH_DROP_START, this)). */
  readonly maxPendingHandshakes?: number;
  /** Any other pre-auth limit (see preauth-budget.ts). */
  readonly preauth?: Partial<PreauthLimits>;
  /** Passed to every accepted PeerSocket. */
  readonly idleTimeoutMs?: number;
  readonly writeHighWaterMark?: number;
  /** ALPNs offered (default PEERDECK_ALPNS; a relay offers RELAY_ALPNS). A client asking for another fails the handshake. */
  readonly alpns?: readonly PeerdeckAlpn[];
}

interface Pending {
  readonly raw: Socket;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly release: () => void;
  timer: TimerHandle | undefined;
  done: boolean;
}

/**
 * Kernel accept queue (capped by net.core.somaxconn). Under a connect flood the queue is full most
 * of the time, and a SYN that finds it full is dropped and retried only after 1 s; a long queue
 * holds it instead, and accept-and-drop empties it fast (Node's default is 511).
 */
const LISTEN_BACKLOG = 4_096;

const tupleKey = (s: Socket): string =>
  `${s.remoteAddress}|${s.remotePort}|${s.localAddress}|${s.localPort}`;

export class TlsListener extends EventEmitter<TlsListenerEvents> {
  /**
   * The TCP socket that listens. An admitted connection is handed to `server`
   * (`emit('connection')`, Node's documented way to inject one), so a refused
   * one never costs a TLS socket: under a flood, accept-and-drop stays cheap.
   */
  private readonly tcp: TcpServer;
  /** TLS for admitted connections only; never listens itself. */
  private readonly server: Server;
  private readonly opts: TlsListenerOptions;
  private readonly handshakeTimeoutMs: number;
  private readonly firstBytesTimeoutMs: number;
  private readonly budget: PreauthBudget;
  /** Keyed by TCP 4-tuple: the only link between the raw socket and its TLSSocket. */
  private readonly pending = new Map<string, Pending>();
  private readonly accepted = new Set<PeerSocket>();
  private boundPort: number | undefined;
  private listening = false;

  constructor(opts: TlsListenerOptions) {
    super();
    this.opts = opts;
    this.handshakeTimeoutMs = opts.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS;
    this.firstBytesTimeoutMs = Math.min(opts.firstBytesTimeoutMs ?? FIRST_BYTES_TIMEOUT_MS, this.handshakeTimeoutMs);
    const maxPending = opts.maxPendingHandshakes ?? opts.preauth?.maxPending ?? DEFAULT_PREAUTH_LIMITS.maxPending;
    this.budget = new PreauthBudget(
      { ...DEFAULT_PREAUTH_LIMITS, dropStart: Math.min(DEFAULT_PREAUTH_LIMITS.dropStart, maxPending), ...opts.preauth, maxPending },
      opts.random ?? systemRandom,
    );
    this.server = createServer(serverTlsOptions(opts.certPem, opts.keyPem, opts.alpns));
    this.tcp = createTcpServer((raw: Socket) => this.onTcpConnection(raw));
    this.server.on('secureConnection', (socket: TLSSocket) => this.onSecureConnection(socket));
    // Handshake failures (wrong version, cipher, ALPN, resets): Node destroys the socket.
    // Reported only if still pending: sockets we dropped ourselves also end up here.
    this.server.on('tlsClientError', (err: Error & { code?: string }, socket: TLSSocket) => {
      const key = tupleKey(socket);
      const p = this.pending.get(key);
      if (!p || p.done) return;
      this.finishPending(key, p);
      this.report(p.remoteAddress, p.remotePort, 'tls-error', undefined, err.code ?? err.message);
    });
    const onError = (err: Error) => {
      if (this.listening && this.listenerCount('error') > 0) this.emit('error', err);
    };
    this.server.on('error', onError);
    this.tcp.on('error', onError);
  }

  /** Number of connections still in handshake or authorization. */
  get pendingHandshakes(): number {
    return this.pending.size;
  }
  /** The pre-auth budget (for inspection: pending slots, known addresses). */
  get preauth(): PreauthBudget {
    return this.budget;
  }
  get port(): number | undefined {
    return this.boundPort;
  }

  /** Start listening; resolves with the bound port (useful with port 0). Fails with ERR_LISTEN_FAILED. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      const where = `${this.opts.host}:${this.opts.port}`;
      const onError = (err: Error & { code?: string }) =>
        reject(new EngineError('ERR_LISTEN_FAILED', `cannot listen on ${where}: ${err.code ?? err.message}`, 'local', { cause: err }));
      this.tcp.once('error', onError);
      this.tcp.listen({ port: this.opts.port, host: this.opts.host, backlog: LISTEN_BACKLOG }, () => {
        this.tcp.off('error', onError);
        const addr = this.tcp.address();
        this.boundPort = typeof addr === 'object' && addr ? addr.port : this.opts.port;
        this.listening = true;
        resolve(this.boundPort);
      });
    });
  }

  /** Stop accepting, drop pending handshakes, close accepted sockets. */
  close(): Promise<void> {
    this.listening = false;
    for (const p of this.pending.values()) this.settle(p, true);
    this.pending.clear();
    const reason = new EngineError('ERR_CONNECTION_CLOSED', 'listener closed', 'local');
    for (const s of this.accepted) s.close(reason);
    return new Promise((resolve) => this.tcp.close(() => resolve()));
  }

  private onTcpConnection(raw: Socket): void {
    const remoteAddress = raw.remoteAddress ?? '';
    const remotePort = raw.remotePort ?? 0;
    raw.on('error', () => {}); // the TLSSocket reports; a raw error must never crash us
    if (!this.listening || raw.destroyed) {
      raw.destroy();
      return;
    }
    const slot = this.budget.admit(remoteAddress);
    if (!slot.ok) {
      raw.destroy();
      this.report(remoteAddress, remotePort, slot.reason);
      return;
    }
    const key = tupleKey(raw);
    const p: Pending = { raw, remoteAddress, remotePort, release: slot.release, timer: undefined, done: false };
    const expire = (reason: 'first-bytes-timeout' | 'handshake-timeout', ms: number) => {
      if (p.done) return;
      this.settle(p, true);
      if (this.pending.get(key) === p) this.pending.delete(key);
      this.report(remoteAddress, remotePort, reason, undefined, `${ms} ms`);
    };
    const first = this.firstBytesTimeoutMs;
    p.timer = this.opts.clock.setTimeout(() => {
      if (p.done) return;
      if (first >= this.handshakeTimeoutMs) return expire('handshake-timeout', this.handshakeTimeoutMs);
      // raw.bytesRead counts what the TLS layer read from this socket (checked: Node 20).
      if (raw.bytesRead === 0) return expire('first-bytes-timeout', first);
      p.timer = this.opts.clock.setTimeout(() => expire('handshake-timeout', this.handshakeTimeoutMs), this.handshakeTimeoutMs - first);
    }, first);
    raw.once('close', () => {
      if (p.done) return;
      this.finishPending(key, p);
      this.report(remoteAddress, remotePort, 'closed-early');
    });
    this.pending.set(key, p);
    this.server.emit('connection', raw);
  }

  private onSecureConnection(socket: TLSSocket): void {
    socket.on('error', () => {}); // until accepted, errors mean only "gone"
    const key = tupleKey(socket);
    const p = this.pending.get(key);
    const remoteAddress = socket.remoteAddress ?? '';
    const remotePort = socket.remotePort ?? 0;
    if (!p || p.done) {
      socket.destroy();
      return;
    }
    const n = inspectNegotiated(socket);
    if (!n.ok) {
      this.finishPending(key, p);
      socket.destroy();
      this.report(remoteAddress, remotePort, n.failure, undefined, n.detail);
      return;
    }
    if (!(this.opts.alpns ?? PEERDECK_ALPNS).includes(n.alpn)) {
      this.finishPending(key, p);
      socket.destroy();
      this.report(remoteAddress, remotePort, 'wrong-alpn', undefined, `ALPN ${n.alpn} is not offered here`);
      return;
    }
    const req: AuthorizeRequest = { deviceId: n.deviceId, alpn: n.alpn, remoteAddress, remotePort };
    let decision: Promise<AuthorizeDecision>;
    try {
      decision = Promise.resolve(this.opts.authorize(req));
    } catch (err) {
      decision = Promise.reject(err);
    }
    decision.then(
      (d) => this.decide(key, p, socket, req, d === 'accept'),
      () => this.decide(key, p, socket, req, false),
    );
  }

  private decide(key: string, p: Pending, socket: TLSSocket, req: AuthorizeRequest, accept: boolean): void {
    if (p.done) return; // timed out or closed while the engine was deciding
    this.finishPending(key, p);
    if (accept && (req.alpn === ALPN_SESSION || req.alpn === ALPN_BULK || req.alpn === ALPN_APP)) this.budget.markKnown(req.remoteAddress);
    if (!accept || socket.destroyed || !this.listening) {
      const reason: RejectReason = accept ? 'closed-early' : 'unauthorized';
      socket.destroy();
      this.report(req.remoteAddress, req.remotePort, reason, req.deviceId);
      return;
    }
    const peer = new PeerSocket({
      socket,
      deviceId: req.deviceId,
      alpn: req.alpn,
      clock: this.opts.clock,
      idleTimeoutMs: this.opts.idleTimeoutMs,
      writeHighWaterMark: this.opts.writeHighWaterMark,
    });
    this.accepted.add(peer);
    peer.once('close', () => this.accepted.delete(peer));
    this.emit('connection', peer);
  }

  private finishPending(key: string, p: Pending): void {
    this.settle(p, false);
    if (this.pending.get(key) === p) this.pending.delete(key);
  }

  private settle(p: Pending, destroy: boolean): void {
    p.done = true;
    p.release();
    this.opts.clock.clearTimeout(p.timer);
    p.timer = undefined;
    if (destroy) p.raw.destroy();
  }

  private report(
    remoteAddress: string,
    remotePort: number,
    reason: RejectReason,
    deviceId?: DeviceId,
    detail?: string,
  ): void {
    this.emit('rejected', { reason, remoteAddress, remotePort, deviceId, detail });
  }
}

export function createTlsListener(opts: TlsListenerOptions): TlsListener {
  return new TlsListener(opts);
}
