/**
 * An open application connection: typed messages both ways over its own TLS
 * connection (ALPN peerdeck-app/1).
 *
 * Flow control: the connection is its own TCP stream, so TCP's window is the
 * per-connection credit window. `send()` resolves once the message is queued
 * below the socket's high-water mark (1 MiB), else on 'drain'; the reader
 * stops reading the socket while READ_HIGH_WATER_BYTES of received messages
 * wait to be read. A slow reader therefore slows the writer, memory stays
 * bounded on both ends, and chat, heartbeats and transfers (other TCP
 * connections) never queue behind application data.
 *
 * A message of another data type, or of another length on a fixed-size
 * connection, or one that does not decode, is a violation: strict, the
 * receiver sends APP_CLOSE ERR_APP_VIOLATION and both sides end with a
 * ViolationError; non-strict, it is dropped and reported ('violation' event,
 * and 'error' when someone listens to it).
 */
import { EventEmitter } from 'node:events';
import type { DeviceId } from '../../protocol/device-id.js';
import { APP_DATA_TYPE_CODES, appDataHeader, appDataTypeOf, MAX_APP_MESSAGE_BYTES, type AppDataType, type AppFrame } from '../../protocol/messages/app.js';
import { EngineError } from '../errors.js';
import { abortPromise, ViolationError } from './app-errors.js';
import { decodeAppValue, encodeAppValue } from './app-values.js';
import type { AppWire } from './app-wire.js';

/** Received messages held for the reader before the socket is paused. */
export const READ_HIGH_WATER_BYTES = 1024 * 1024;

export interface ConnectionInfo {
  /** The other side's device ID (from its pinned certificate). */
  readonly peerId: DeviceId;
  readonly type: AppDataType;
  /** Every message is exactly this many bytes (after encoding); undefined: any size up to the cap. */
  readonly size: number | undefined;
  readonly strict: boolean;
}

export interface SendOptions {
  /** Send as another data type (the other side treats it as a violation); for testing a peer's enforcement. */
  type?: AppDataType;
  /** Skip the local fixed-size check (the other side treats a wrong size as a violation); for testing. */
  unchecked?: boolean;
  /** Stop waiting for the transport; the message may still go out. */
  signal?: AbortSignal;
}

export interface ConnectionEvents {
  /** A dropped message on a non-strict connection. */
  violation: [err: ViolationError];
  error: [err: EngineError];
  /** The connection is over; `reason` is undefined after a clean close by either side. */
  close: [reason: EngineError | undefined];
}

type Waiter = { resolve: (r: IteratorResult<unknown>) => void; reject: (e: unknown) => void };

export class Connection<T = unknown> extends EventEmitter<ConnectionEvents> implements ConnectionInfo, AsyncIterable<T> {
  readonly peerId: DeviceId;
  readonly type: AppDataType;
  readonly size: number | undefined;
  readonly strict: boolean;
  private readonly queue: { value: unknown; bytes: number }[] = [];
  private queuedBytes = 0;
  private paused = false;
  private readonly waiters: Waiter[] = [];
  private readonly drainers = new Set<{ resolve: () => void; reject: (e: unknown) => void }>();
  /** undefined: open; null: ended cleanly; else why it ended. */
  private ended: EngineError | null | undefined;
  /** Messages dropped on a non-strict connection. */
  violations = 0;

  constructor(
    private readonly wire: AppWire,
    info: ConnectionInfo,
  ) {
    super();
    this.peerId = info.peerId;
    this.type = info.type;
    this.size = info.size;
    this.strict = info.strict;
    wire.socket.on('drain', () => this.settleDrainers());
    wire.socket.on('close', (reason) => this.finish(reason ?? new EngineError('ERR_CONNECTION_CLOSED', 'the connection closed', 'retryable')));
    wire.setHandler((f) => this.onFrame(f));
  }

  /** True once the connection is over (closed by either side or broken). */
  get closed(): boolean {
    return this.ended !== undefined;
  }

  /** Send one message; resolves once it is handed to the transport (waits while the peer reads slower than we write). */
  async send(value: T, opts: SendOptions = {}): Promise<void> {
    if (this.ended !== undefined) throw this.closedError();
    const type = opts.type ?? this.type;
    const body = encodeAppValue(type, value);
    if (body.length > MAX_APP_MESSAGE_BYTES) {
      throw new EngineError('ERR_MESSAGE_TOO_LARGE', `an application message is at most ${MAX_APP_MESSAGE_BYTES} bytes, got ${body.length}; send files with sendFiles()`, 'usage');
    }
    if (this.size !== undefined && type === this.type && !opts.unchecked && body.length !== this.size) {
      throw new EngineError('ERR_USAGE', `this connection carries messages of exactly ${this.size} bytes, got ${body.length}`, 'usage');
    }
    if (this.wire.sendData(appDataHeader(APP_DATA_TYPE_CODES[type], body.length), body)) return;
    const abort = abortPromise(opts.signal, 'send');
    try {
      await Promise.race([new Promise<void>((resolve, reject) => this.drainers.add({ resolve, reject })), abort.promise]);
    } finally {
      abort.off();
    }
  }

  /** The next message, or done once the connection ended cleanly; rejects with the reason it broke. */
  read(opts: { signal?: AbortSignal } = {}): Promise<IteratorResult<T, undefined>> {
    const head = this.queue.shift();
    if (head) {
      this.queuedBytes -= head.bytes;
      if (this.paused && this.queuedBytes < READ_HIGH_WATER_BYTES) {
        this.paused = false;
        this.wire.socket.resume();
      }
      return Promise.resolve({ done: false, value: head.value as T });
    }
    if (this.ended === null) return Promise.resolve({ done: true, value: undefined });
    if (this.ended) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => {
      const w: Waiter = { resolve: resolve as Waiter['resolve'], reject };
      this.waiters.push(w);
      const abort = abortPromise(opts.signal, 'read');
      abort.promise.catch((err: unknown) => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(err);
      });
      const settle = (fn: () => void) => () => (abort.off(), fn());
      w.resolve = (r) => settle(() => resolve(r as IteratorResult<T, undefined>))();
      w.reject = (e) => settle(() => reject(e))();
    });
  }

  /** Messages until the connection ends; `signal` cancels the wait for the next one. Leaving the loop early closes the connection. */
  messages(opts: { signal?: AbortSignal } = {}): AsyncIterableIterator<T> {
    const it: AsyncIterableIterator<T> = {
      next: () => this.read(opts) as Promise<IteratorResult<T>>,
      return: async () => {
        this.close();
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]: () => it,
    };
    return it;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.messages();
  }

  /** End the connection cleanly: what was sent is flushed, the other side's reads end after its last message. */
  close(): void {
    if (this.ended !== undefined) return;
    this.wire.send({ type: 'APP_CLOSE', code: 'OK', reason: '' });
    this.wire.socket.close();
    this.finish(null);
  }

  private onFrame(f: AppFrame): void {
    if (this.ended !== undefined) return;
    switch (f.type) {
      case 'APP_PING':
        return;
      case 'APP_CLOSE':
        if (f.code === 'OK') this.finish(null);
        else if (f.code === 'ERR_APP_VIOLATION') this.finish(new ViolationError(`the peer closed the connection: ${f.reason}`));
        else this.finish(new EngineError('ERR_CONNECTION_CLOSED', `the peer closed the connection (${f.code}): ${f.reason}`, 'retryable'));
        this.wire.socket.close();
        return;
      case 'APP_DATA':
        return this.onData(f.typeCode, f.body);
      default:
        // OPEN/ACCEPT/DENY after the handshake: always fatal, strict or not.
        this.wire.send({ type: 'APP_CLOSE', code: 'ERR_APP_VIOLATION', reason: `${f.type} on an open connection` });
        this.wire.socket.close();
        this.finish(new ViolationError(`the peer sent ${f.type} on an open connection`));
    }
  }

  private onData(typeCode: number, body: Buffer): void {
    const got = appDataTypeOf(typeCode);
    let problem: string | undefined;
    let value: unknown;
    if (got !== this.type) problem = `a ${got ?? `type-${typeCode}`} message on a ${this.type} connection`;
    else if (this.size !== undefined && body.length !== this.size) problem = `a ${body.length}-byte message on a connection of ${this.size}-byte messages`;
    else {
      try {
        value = decodeAppValue(this.type, body);
      } catch (err) {
        problem = (err as Error).message;
      }
    }
    if (problem !== undefined) return this.violation(problem);
    this.queue.push({ value, bytes: body.length });
    this.queuedBytes += body.length;
    const w = this.waiters.shift();
    if (w) {
      const head = this.queue.shift()!;
      this.queuedBytes -= head.bytes;
      w.resolve({ done: false, value: head.value });
    }
    if (!this.paused && this.queuedBytes >= READ_HIGH_WATER_BYTES) {
      this.paused = true;
      this.wire.socket.pause();
    }
  }

  private violation(problem: string): void {
    if (this.strict) {
      this.wire.send({ type: 'APP_CLOSE', code: 'ERR_APP_VIOLATION', reason: problem.slice(0, 200) });
      this.wire.socket.close();
      this.finish(new ViolationError(`strict connection closed: ${problem}`));
      return;
    }
    this.violations++;
    const err = new ViolationError(`message dropped: ${problem}`);
    this.emit('violation', err);
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }

  private closedError(): EngineError {
    return this.ended ?? new EngineError('ERR_CONNECTION_CLOSED', 'the connection is closed', 'usage');
  }

  private settleDrainers(err?: unknown): void {
    const all = [...this.drainers];
    this.drainers.clear();
    for (const d of all) {
      if (err) d.reject(err);
      else d.resolve();
    }
  }

  private finish(reason: EngineError | null): void {
    if (this.ended !== undefined) return;
    this.ended = reason;
    this.settleDrainers(this.closedError());
    for (const w of this.waiters.splice(0)) {
      if (reason) w.reject(reason);
      else w.resolve({ done: true, value: undefined });
    }
    if (this.paused) this.wire.socket.resume();
    this.emit('close', reason ?? undefined);
  }
}
