/**
 * Relay messages over one authenticated relay connection (ALPN peerdeck-relay/1),
 * used by both ends: the relay server (src/relay/) and the relay client service.
 * Bytes → frames → typed relay messages and back; a protocol error closes the
 * connection with its code and never throws into the caller.
 */
import { ProtocolError } from '../../protocol/errors.js';
import { createRelayDecoder, decodeRelayMessage, encodeRelayMessage, type RelayMessage } from '../../protocol/relay/relay-messages.js';
import { EngineError } from '../errors.js';
import type { PeerSocket } from '../tls/peer-socket.js';

export interface RelayChannelHandlers {
  onMessage(msg: RelayMessage): void;
  /** Once, when the connection is gone (undefined after our own clean close). */
  onClose(error: { code: string; message: string } | undefined): void;
}

export class RelayChannel {
  private readonly decoder = createRelayDecoder();
  private closed = false;

  constructor(
    readonly socket: PeerSocket,
    private readonly handlers: RelayChannelHandlers,
  ) {
    socket.on('close', (reason) => {
      if (this.closed && !reason) return this.handlers.onClose(undefined);
      this.closed = true;
      this.handlers.onClose(reason ? { code: reason.code, message: reason.message } : undefined);
    });
    socket.on('data', (buf) => this.onData(buf));
  }

  get isClosed(): boolean {
    return this.closed || this.socket.closed;
  }

  /** Queue a message; false when closed or the socket's buffer is full. */
  send(msg: RelayMessage): boolean {
    if (this.isClosed) return false;
    return this.socket.write(encodeRelayMessage(msg));
  }

  /** Send `last` (if any), then FIN: the peer reads it before the close. */
  end(last?: RelayMessage): void {
    if (last) this.send(last);
    this.closed = true;
    this.socket.close();
  }

  private onData(buf: Buffer): void {
    if (this.closed) return;
    try {
      for (const frame of this.decoder.push(buf)) {
        if (this.closed) return;
        this.handlers.onMessage(decodeRelayMessage(frame));
      }
    } catch (err) {
      const code = err instanceof ProtocolError ? err.code : 'ERR_PROTOCOL';
      this.socket.close(new EngineError('ERR_RELAY_PROTOCOL', `relay protocol error ${code}: ${(err as Error).message}`, 'peer-fault'));
    }
  }
}
