/**
 * One app connection's socket, framed: decodes app frames as bytes arrive and
 * hands them to the current handler (frames that arrive before a handler is set
 * wait in a backlog), sends an APP_PING when nothing was written for
 * APP_PING_INTERVAL_MS (the peer's idle timeout is 15 s), and turns bytes that
 * are no app frame into one close with a typed error.
 */
import { createAppDecoder, decodeAppFrame, encodeAppControl, type AppControl, type AppFrame } from '../../protocol/messages/app.js';
import { ProtocolError } from '../../protocol/errors.js';
import type { Clock, TimerHandle } from '../clock.js';
import { EngineError } from '../errors.js';
import type { PeerSocket } from '../tls/peer-socket.js';

export const APP_PING_INTERVAL_MS = 5_000;

export class AppWire {
  private readonly decoder = createAppDecoder();
  private handler: ((f: AppFrame) => void) | undefined;
  private backlog: AppFrame[] = [];
  private lastWriteAt: number;
  private readonly pinger: TimerHandle;

  constructor(
    readonly socket: PeerSocket,
    private readonly clock: Clock,
  ) {
    this.lastWriteAt = clock.now();
    this.pinger = clock.setInterval(() => {
      if (clock.now() - this.lastWriteAt >= APP_PING_INTERVAL_MS) this.send({ type: 'APP_PING' });
    }, APP_PING_INTERVAL_MS);
    socket.on('close', () => clock.clearInterval(this.pinger));
    socket.on('data', (buf) => this.onData(buf));
  }

  /** Frames go to `fn` from now on (the backlog first). */
  setHandler(fn: (f: AppFrame) => void): void {
    this.handler = fn;
    const waiting = this.backlog;
    this.backlog = [];
    for (const f of waiting) if (this.handler === fn && !this.socket.closed) fn(f);
  }

  /** Keep frames in the backlog until the next setHandler (between the handshake and the Connection). */
  holdFrames(): void {
    this.handler = undefined;
  }

  send(msg: AppControl): boolean {
    this.lastWriteAt = this.clock.now();
    return this.socket.write(encodeAppControl(msg));
  }

  /** Header and body as two writes (the body is not copied). false: wait for 'drain'. */
  sendData(head: Buffer, body: Uint8Array): boolean {
    this.lastWriteAt = this.clock.now();
    this.socket.write(head);
    return this.socket.write(body);
  }

  private onData(buf: Buffer): void {
    let frames;
    try {
      frames = this.decoder.push(buf);
    } catch (err) {
      return this.fail(err);
    }
    for (const fr of frames) {
      if (this.socket.closed) return;
      let msg: AppFrame;
      try {
        msg = decodeAppFrame(fr);
      } catch (err) {
        return this.fail(err);
      }
      if (this.handler) this.handler(msg);
      else this.backlog.push(msg);
    }
  }

  private fail(err: unknown): void {
    const tooLarge = err instanceof ProtocolError && err.code === 'ERR_FRAME_TOO_LARGE';
    const text = err instanceof Error ? err.message : String(err);
    this.socket.close(new EngineError(tooLarge ? 'ERR_MESSAGE_TOO_LARGE' : 'ERR_APP_VIOLATION', `the peer broke the app connection protocol: ${text}`, 'peer-fault', { cause: err }));
  }
}
