/**
 * Application connections, the engine's service for the library API. Each
 * connection is its own TLS connection of ALPN peerdeck-app/1 to a pinned peer
 * (the listener admits only pinned device IDs; the dialler expects the pinned
 * one). The initiator sends APP_OPEN and waits for APP_ACCEPT or APP_DENY
 * until its timeout; the responder hands a ConnectionRequest to the
 * application, which accepts or denies it (nobody listening: denied at once;
 * no answer before the initiator's timeout: denied).
 */
import type { DeviceId } from '../../protocol/device-id.js';
import { MAX_APP_MESSAGE_BYTES, type AppDataType, type AppFrame, type AppOpen } from '../../protocol/messages/app.js';
import type { Clock } from '../clock.js';
import type { AlpnHandler } from '../connections/connection-layer.js';
import { EngineError } from '../errors.js';
import type { PeerSocket } from '../tls/peer-socket.js';
import { Connection } from './app-connection.js';
import { abortPromise, DeniedError, TimeoutError } from './app-errors.js';
import { AppWire } from './app-wire.js';

/** How long an inbound connection may take to send APP_OPEN. */
export const APP_OPEN_TIMEOUT_MS = 5_000;
/** Default wait for the other side's answer (connect's timeoutMs). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export interface ConnectOptions {
  type: AppDataType;
  /** Every message exactly this many bytes (1..MAX_APP_MESSAGE_BYTES). */
  size?: number;
  /** A message of another type or size closes the connection (default false: it is dropped and reported). */
  strict?: boolean;
  /** Give up after this long without an answer, the wait for the peer to come online included (default 10 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** An incoming connection request; answer it with accept() or deny(). */
export interface ConnectionRequest {
  readonly peerId: DeviceId;
  /** The pinned name of the peer. */
  readonly peerName: string;
  readonly type: AppDataType;
  readonly size: number | undefined;
  readonly strict: boolean;
  accept(): Connection;
  deny(reason?: string): void;
}

export interface AppConnectionsOptions {
  clock: Clock;
  isPinned(id: DeviceId): boolean;
  nameOf(id: DeviceId): string;
  /** Resolves once a session with the peer is up (false: not within `ms`). */
  waitOnline(id: DeviceId, ms: number): Promise<boolean>;
  dial(id: DeviceId): Promise<PeerSocket>;
}

export class AppConnections {
  private readonly open = new Set<PeerSocket>();
  private stopping = false;
  /** Who takes incoming requests; returns false when nobody does (the request is denied at once). */
  onRequest: ((req: ConnectionRequest) => boolean) | undefined;

  constructor(private readonly o: AppConnectionsOptions) {}

  /** The listener's side: admit pinned peers, read their APP_OPEN. */
  alpnHandler(): AlpnHandler {
    return { admit: (req) => !this.stopping && this.o.isPinned(req.deviceId), incoming: (s) => this.incoming(s) };
  }

  async connect(peerId: DeviceId, opts: ConnectOptions): Promise<Connection> {
    checkOptions(opts);
    if (!this.o.isPinned(peerId)) throw new EngineError('ERR_NOT_PINNED', 'that peer is not trusted: pair with it first', 'usage');
    const timeoutMs = opts.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const deadline = this.o.clock.now() + timeoutMs;
    const abort = abortPromise(opts.signal, 'connect');
    let socket: PeerSocket | undefined;
    let timer: ReturnType<Clock['setTimeout']> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = this.o.clock.setTimeout(() => reject(new TimeoutError(`no answer from the peer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const attempt = (async () => {
        if (!(await this.o.waitOnline(peerId, timeoutMs))) throw new TimeoutError(`the peer was not reachable within ${timeoutMs} ms`);
        socket = await this.o.dial(peerId);
        this.track(socket);
        const wire = new AppWire(socket, this.o.clock);
        const left = Math.max(1, deadline - this.o.clock.now());
        wire.send({ type: 'APP_OPEN', dataType: opts.type, ...(opts.size !== undefined ? { size: opts.size } : {}), strict: !!opts.strict, timeoutMs: Math.ceil(left) });
        const answer = await firstFrame(wire);
        if (answer.type === 'APP_DENY') throw new DeniedError(answer.reason);
        if (answer.type !== 'APP_ACCEPT') throw new EngineError('ERR_APP_VIOLATION', `the peer answered APP_OPEN with ${answer.type}`, 'peer-fault');
        return new Connection(wire, { peerId, type: opts.type, size: opts.size, strict: !!opts.strict });
      })();
      attempt.catch(() => {});
      return await Promise.race([attempt, timeout, abort.promise]);
    } catch (err) {
      // A socket dialled after the timeout or abort is closed once the dial settles.
      const s = socket;
      if (s) s.close();
      else queueMicrotask(() => socket?.close());
      throw err;
    } finally {
      this.o.clock.clearTimeout(timer);
      abort.off();
    }
  }

  /** Close every app connection (engine shutdown). */
  stop(): void {
    this.stopping = true;
    for (const s of this.open) s.close();
  }

  private track(s: PeerSocket): void {
    this.open.add(s);
    s.on('close', () => this.open.delete(s));
    if (this.stopping) s.close();
  }

  private incoming(socket: PeerSocket): void {
    this.track(socket);
    const wire = new AppWire(socket, this.o.clock);
    const t = this.o.clock.setTimeout(() => socket.close(new EngineError('ERR_TIMEOUT', `no APP_OPEN within ${APP_OPEN_TIMEOUT_MS} ms`, 'peer-fault')), APP_OPEN_TIMEOUT_MS);
    firstFrame(wire).then(
      (f) => {
        this.o.clock.clearTimeout(t);
        if (f.type !== 'APP_OPEN') return socket.close(new EngineError('ERR_APP_VIOLATION', 'an app connection must start with APP_OPEN', 'peer-fault'));
        this.request(wire, f);
      },
      () => this.o.clock.clearTimeout(t),
    );
  }

  private request(wire: AppWire, open: AppOpen): void {
    const peerId = wire.socket.deviceId;
    let answered = false;
    const answer = () => {
      if (answered) throw new EngineError('ERR_USAGE', 'this connection request was answered already', 'usage');
      answered = true;
      this.o.clock.clearTimeout(expiry);
    };
    const deny = (reason: string) => {
      answer();
      if (wire.socket.closed) return;
      wire.send({ type: 'APP_DENY', reason: reason.slice(0, 200) });
      wire.socket.close();
    };
    const expiry = this.o.clock.setTimeout(() => !answered && deny('no answer in time'), open.timeoutMs);
    const req: ConnectionRequest = {
      peerId,
      peerName: this.o.nameOf(peerId),
      type: open.dataType,
      size: open.size,
      strict: open.strict,
      accept: () => {
        answer();
        if (wire.socket.closed) throw new EngineError('ERR_CONNECTION_CLOSED', 'the peer gave up before the answer', 'retryable');
        wire.send({ type: 'APP_ACCEPT' });
        return new Connection(wire, { peerId, type: open.dataType, size: open.size, strict: open.strict });
      },
      deny: (reason = 'denied') => deny(reason),
    };
    if (!this.onRequest?.(req)) deny('no application accepts connections here');
  }
}

function checkOptions(opts: ConnectOptions): void {
  const types: readonly string[] = ['json', 'text', 'bytes', 'structured'];
  if (!types.includes(opts?.type)) throw new EngineError('ERR_USAGE', `type must be one of ${types.join(', ')}`, 'usage');
  if (opts.size !== undefined && (!Number.isInteger(opts.size) || opts.size < 1 || opts.size > MAX_APP_MESSAGE_BYTES)) {
    throw new EngineError('ERR_USAGE', `size must be an integer 1..${MAX_APP_MESSAGE_BYTES}`, 'usage');
  }
  if (opts.timeoutMs !== undefined && (!Number.isInteger(opts.timeoutMs) || opts.timeoutMs < 1 || opts.timeoutMs > 600_000)) {
    throw new EngineError('ERR_USAGE', 'timeoutMs must be an integer 1..600000', 'usage');
  }
}

/** The first frame on the wire, or the reason the socket closed first. */
function firstFrame(wire: AppWire): Promise<AppFrame> {
  return new Promise((resolve, reject) => {
    const onClose = (reason: EngineError | undefined) => reject(reason ?? new EngineError('ERR_CONNECTION_CLOSED', 'the connection closed', 'retryable'));
    wire.socket.once('close', onClose);
    wire.setHandler((f) => {
      wire.socket.off('close', onClose);
      wire.holdFrames(); // later frames wait for the Connection that takes over
      resolve(f);
    });
  });
}
