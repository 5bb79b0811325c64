/**
 * Control messages over one authenticated connection: bytes → frames → typed
 * messages, and back. A protocol error (unknown frame type, oversized frame,
 * malformed message) closes the connection with a reason; it never throws into
 * the engine.
 */
import { createMessageDecoder, decodeMessage, encodeMessage, type Message } from '../../protocol/messages/index.js';
import { ProtocolError } from '../../protocol/errors.js';
import { EngineError } from '../errors.js';
import type { PeerSocket } from '../tls/peer-socket.js';

export interface ChannelHandlers {
  onMessage(msg: Message): void;
  /** Called once, when the connection is gone (undefined after our own clean close). */
  onClose(error: { code: string; message: string } | undefined): void;
}

export class MessageChannel {
  private readonly decoder = createMessageDecoder();
  private closed = false;
  private closeError: { code: string; message: string } | undefined;
  private handlers: ChannelHandlers | undefined;
  private backlog: Message[] = [];
  private holds = 0;

  constructor(readonly socket: PeerSocket) {
    socket.on('close', (reason) => this.finish(reason ? { code: reason.code, message: reason.message } : undefined));
    socket.on('data', (buf) => this.onData(buf));
  }

  /** Start delivering messages (those that arrived before are delivered first). */
  attach(handlers: ChannelHandlers): void {
    this.handlers = handlers;
    const early = this.backlog;
    this.backlog = [];
    for (const m of early) {
      if (this.closed) break;
      handlers.onMessage(m);
    }
    if (this.closed) handlers.onClose(this.closeError);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Queue a message; false when the socket is closed or its buffer is full. */
  send(msg: Message): boolean {
    if (this.closed) return false;
    return this.socket.write(encodeMessage(msg));
  }

  /**
   * Stop reading the socket until the returned function is called (receiver backpressure:
   * the peer's writes then back up on its side, not in our memory). Holds nest.
   */
  holdReading(): () => void {
    if (++this.holds === 1) this.socket.pause();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.holds === 0 && !this.closed) this.socket.resume();
    };
  }

  get readingHeld(): boolean {
    return this.holds > 0;
  }

  /** Send a last message (BYE or DENY), flush, then close. */
  closeWith(msg: Message | undefined, code = 'ERR_CONNECTION_CLOSED', message = 'closed'): void {
    if (this.closed) return;
    if (msg) this.send(msg);
    this.socket.close();
    this.finish({ code, message });
  }

  /** Drop the connection now. */
  destroy(code = 'ERR_CONNECTION_CLOSED', message = 'closed'): void {
    if (this.closed) return;
    this.socket.close(new EngineError('ERR_CONNECTION_CLOSED', message, 'retryable'));
    this.finish({ code, message });
  }

  private onData(buf: Buffer): void {
    if (this.closed) return;
    try {
      for (const f of this.decoder.push(buf)) {
        const msg = decodeMessage(f);
        if (this.handlers) this.handlers.onMessage(msg);
        else this.backlog.push(msg);
        if (this.closed) return;
      }
    } catch (err) {
      const code = err instanceof ProtocolError ? err.code : 'ERR_INTERNAL';
      this.destroy(code, err instanceof Error ? err.message : String(err));
    }
  }

  private finish(error: { code: string; message: string } | undefined): void {
    if (this.closed) return;
    this.closed = true;
    this.closeError = error;
    this.handlers?.onClose(error);
  }
}
