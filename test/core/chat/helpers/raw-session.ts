/**
 * A raw session client built from the protocol module, for hostile-peer tests
 * against a real engine: dials with a fixture identity (pinned by the victim),
 * does HELLO/ACCEPT, answers heartbeats, records every message, and can send
 * anything (respecting its own socket's backpressure).
 */
import { systemClock } from '../../../../src/core/clock.js';
import { MessageChannel } from '../../../../src/core/connections/message-channel.js';
import { dialTls } from '../../../../src/core/tls/tls-dialer.js';
import { ALPN_SESSION } from '../../../../src/core/tls/tls-options.js';
import { PROTOCOL_VERSION, type Message } from '../../../../src/protocol/messages/index.js';
import type { DeviceId } from '../../../../src/protocol/device-id.js';
import { fixtureIdentity } from '../../../../fixtures/identities/index.js';

export class RawSession {
  readonly received: Message[] = [];
  closed: { code: string; message: string } | undefined;
  private readonly waiters = new Set<() => void>();
  private readyResolve!: () => void;
  readonly ready = new Promise<void>((r) => (this.readyResolve = r));
  onMessage: (m: Message) => void = () => undefined;

  private constructor(readonly channel: MessageChannel) {
    channel.attach({
      onMessage: (m) => {
        this.received.push(m);
        if (m.type === 'HELLO') channel.send({ type: 'ACCEPT', name: 'raw' });
        if (m.type === 'ACCEPT') this.readyResolve();
        if (m.type === 'HEARTBEAT') channel.send({ type: 'HEARTBEAT_ACK', seq: m.seq, t: m.t });
        this.onMessage(m);
        this.wake();
      },
      onClose: (err) => {
        this.closed = err ?? { code: 'ERR_CONNECTION_CLOSED', message: 'closed' };
        this.wake();
      },
    });
    channel.send({ type: 'HELLO', v: PROTOCOL_VERSION, name: 'raw', port: 0, caps: ['chat/1'] });
  }

  static async open(identity: number, port: number, victim: DeviceId): Promise<RawSession> {
    const id = fixtureIdentity(identity);
    const sock = await dialTls({ host: '127.0.0.1', port, certPem: id.certPem, keyPem: id.keyPem, alpn: ALPN_SESSION, expectedDeviceId: victim, clock: systemClock });
    const s = new RawSession(new MessageChannel(sock));
    await Promise.race([s.ready, s.until(() => !!s.closed, 10_000)]);
    if (s.closed) throw new Error(`session closed during HELLO: ${s.closed.code}`);
    return s;
  }

  /** Send, waiting for 'drain' first when the socket's buffer is full. */
  async send(m: Message): Promise<void> {
    if (this.channel.send(m) || this.closed) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.channel.socket.off('drain', done);
        this.channel.socket.off('close', done);
        resolve();
      };
      this.channel.socket.on('drain', done);
      this.channel.socket.on('close', done);
    });
  }

  /** Resolves when `pred` holds (checked on every message and on close). */
  until(pred: () => boolean, ms: number, what = 'condition'): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiters.delete(w);
        reject(new Error(`timed out waiting for ${what}`));
      }, ms);
      const w = () => {
        if (!pred()) return;
        clearTimeout(t);
        this.waiters.delete(w);
        resolve();
      };
      this.waiters.add(w);
    });
  }

  close(): void {
    this.channel.destroy('ERR_CONNECTION_CLOSED', 'test done');
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}
