/**
 * PeerSocket: an authenticated TLS connection to a known device ID, moving raw
 * bytes. It adds what every user of a connection needs: an idle timeout on the
 * receive side, backpressure-aware writes, and one 'close' event that says why.
 * Framing goes on top (another layer's job).
 *
 * Reading starts when the first 'data' listener is added (like a Node stream),
 * so no byte is lost between the handshake and the consumer attaching.
 */
import { EventEmitter } from 'node:events';
import type { TLSSocket } from 'node:tls';
import type { Clock, TimerHandle } from '../clock.js';
import { EngineError } from '../errors.js';
import type { DeviceId } from '../../protocol/device-id.js';
import {
  CLOSE_GRACE_MS,
  IDLE_TIMEOUT_MS,
  WRITE_HIGH_WATER_MARK_BYTES,
  type PeerdeckAlpn,
} from './tls-options.js';

export interface PeerSocketEvents {
  data: [chunk: Buffer];
  drain: [];
  /** `reason` is undefined only after a plain local `close()`. */
  close: [reason: EngineError | undefined];
}

export interface PeerSocketOptions {
  readonly socket: TLSSocket;
  readonly deviceId: DeviceId;
  readonly alpn: PeerdeckAlpn;
  readonly clock: Clock;
  readonly idleTimeoutMs?: number;
  readonly writeHighWaterMark?: number;
}

export class PeerSocket extends EventEmitter<PeerSocketEvents> {
  readonly deviceId: DeviceId;
  readonly alpn: PeerdeckAlpn;
  readonly remoteAddress: string;
  readonly remotePort: number;
  private readonly socket: TLSSocket;
  private readonly clock: Clock;
  private readonly idleTimeoutMs: number;
  private readonly writeHighWaterMark: number;
  private lastReceiveAt: number;
  private idleTimer: TimerHandle | undefined;
  private graceTimer: TimerHandle | undefined;
  private paused = false;
  private reading = false;
  private isClosed = false;
  private reason: EngineError | undefined;
  private localClose = false;

  constructor(opts: PeerSocketOptions) {
    super();
    this.socket = opts.socket;
    this.deviceId = opts.deviceId;
    this.alpn = opts.alpn;
    this.clock = opts.clock;
    this.idleTimeoutMs = opts.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
    // Never below the socket's own mark, so our `false` always implies a coming 'drain'.
    this.writeHighWaterMark = Math.max(
      opts.writeHighWaterMark ?? WRITE_HIGH_WATER_MARK_BYTES,
      this.socket.writableHighWaterMark,
    );
    this.remoteAddress = this.socket.remoteAddress ?? '';
    this.remotePort = this.socket.remotePort ?? 0;
    this.lastReceiveAt = this.clock.now();

    this.socket.setNoDelay(true); // small control frames must not wait for Nagle
    this.socket.on('drain', () => this.emit('drain'));
    this.socket.on('error', (err) => {
      this.reason ??= new EngineError('ERR_CONNECTION_CLOSED', `connection error: ${err.message}`, 'retryable', {
        cause: err,
      });
    });
    this.socket.on('close', () => this.finish());
    // 'newListener' is outside the typed event map; it is what makes reading lazy.
    (this as unknown as EventEmitter).on('newListener', (event: string | symbol) => {
      if (event === 'data' && !this.reading) {
        this.reading = true;
        this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
      }
    });
    if (this.socket.destroyed) queueMicrotask(() => this.finish());
    else this.armIdle();
  }

  get closed(): boolean {
    return this.isClosed;
  }
  get bytesRead(): number {
    return this.socket.bytesRead;
  }
  get bytesWritten(): number {
    return this.socket.bytesWritten;
  }

  /**
   * Queue bytes. `false` means: stop writing until 'drain'. Ignored once closing.
   * `onFlushed` runs once these bytes are handed to the OS, or dropped because the
   * connection is closing or closed.
   */
  write(chunk: Uint8Array, onFlushed?: () => void): boolean {
    if (this.isClosed || this.localClose || this.socket.destroyed) {
      if (onFlushed) queueMicrotask(onFlushed);
      return false;
    }
    this.socket.write(chunk, onFlushed && (() => onFlushed()));
    return this.socket.writableLength < this.writeHighWaterMark;
  }

  /** RFC 5705 keying material bound to this TLS session (pairing code input). */
  exportKeyingMaterial(length: number, label: string, context?: Buffer): Buffer {
    return this.socket.exportKeyingMaterial(length, label, context as Buffer);
  }

  /** Stop reading (receiver backpressure). The idle timeout is suspended meanwhile. */
  pause(): void {
    this.paused = true;
    this.socket.pause();
    this.clock.clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    if (this.reading) this.socket.resume();
    this.lastReceiveAt = this.clock.now();
    this.armIdle();
  }

  /**
   * Without a reason: flush queued writes, send FIN, destroy after
   * CLOSE_GRACE_MS at the latest. With a reason: destroy now, and 'close'
   * carries that reason.
   */
  close(reason?: EngineError): void {
    if (this.isClosed) return;
    this.clock.clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (reason) {
      this.reason ??= reason;
      this.localClose = true;
      this.socket.destroy();
      return;
    }
    if (this.localClose) return;
    this.localClose = true;
    this.socket.end();
    this.graceTimer = this.clock.setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS);
  }

  private onData(chunk: Buffer): void {
    this.lastReceiveAt = this.clock.now();
    this.emit('data', chunk);
  }

  private armIdle(): void {
    if (this.isClosed || this.paused || this.localClose) return;
    const due = this.lastReceiveAt + this.idleTimeoutMs - this.clock.now();
    this.idleTimer = this.clock.setTimeout(() => this.onIdleTimer(), Math.max(0, due));
  }

  // Re-arming from the last receive time keeps the hot path (onData) to one assignment.
  private onIdleTimer(): void {
    this.idleTimer = undefined;
    if (this.isClosed || this.paused) return;
    if (this.clock.now() - this.lastReceiveAt >= this.idleTimeoutMs) {
      this.close(
        new EngineError('ERR_IDLE_TIMEOUT', `nothing received for ${this.idleTimeoutMs} ms`, 'retryable'),
      );
      return;
    }
    this.armIdle();
  }

  private finish(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.clock.clearTimeout(this.idleTimer);
    this.clock.clearTimeout(this.graceTimer);
    this.idleTimer = undefined;
    this.graceTimer = undefined;
    const reason =
      this.reason ??
      (this.localClose
        ? undefined
        : new EngineError('ERR_CONNECTION_CLOSED', 'peer closed the connection', 'retryable'));
    this.emit('close', reason);
  }
}
