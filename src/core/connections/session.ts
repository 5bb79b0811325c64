/**
 * A session with a trusted (pinned) peer over one mutual-TLS connection.
 * The peer's device ID comes from its certificate and was checked against the
 * pin store before this object exists. Both sides send HELLO at once and answer
 * the other's HELLO with ACCEPT or DENY; the session is ready when both HELLOs
 * were accepted. Then heartbeats run, and every other message goes up to the
 * engine.
 */
import type { DeviceId } from '../../protocol/device-id.js';
import { negotiateHello, PROTOCOL_VERSION, type Hello, type Message } from '../../protocol/messages/index.js';
import type { Clock, TimerHandle } from '../clock.js';
import { Heartbeat } from './heartbeat.js';
import type { MessageChannel } from './message-channel.js';

/** HELLO/ACCEPT must be done this soon after the TLS handshake. */
export const HELLO_TIMEOUT_MS = 5_000;
export const CAPABILITIES = ['chat/1'] as const;
/**
 * Work started by the peer's messages (storing a chat message before its CHAT_ACK) that may be
 * unfinished at once; past this the session's socket is not read until some of it is done, so a
 * peer that sends faster than we can store is slowed down by TCP instead of filling our memory.
 * 64 × the largest CHAT frame (~97 KiB) bounds it to ~6 MiB per peer, and still lets one
 * journal write + fsync take 64 messages (group commit).
 */
export const MAX_PENDING_WORK = 16;

/** RFC 8446 exporter label for Session.tieBreak (both ends of one connection derive the same bytes). */
export const SESSION_TIEBREAK_LABEL = 'EXPORTER-peerdeck-session-order';
export const SESSION_TIEBREAK_BYTES = 16;

export interface SessionInfo {
  selfName: string;
  listenPort: number;
}

export interface SessionEvents {
  onReady(s: Session): void;
  onMessage(s: Session, msg: Message): void;
  onRtt(s: Session, ms: number): void;
  onClosed(s: Session, reason: { code: string; message: string; bye: boolean }): void;
}


let nextSessionId = 1;

export class Session {
  readonly id = nextSessionId++;
  private gotHello: Hello | undefined;
  private gotAccept = false;
  private ready = false;
  private ended = false;
  private readonly helloTimer: TimerHandle;
  private readonly heartbeat: Heartbeat;
  private byeReceived = false;
  private pendingWork = 0;
  private releaseReading: (() => void) | undefined;

  constructor(
    readonly peerId: DeviceId,
    /** True when this side dialled. Decides which of two simultaneous connections survives. */
    readonly initiatedBySelf: boolean,
    /**
     * The same bytes on both ends of this connection (a TLS exporter value): orders two
     * connections dialled by the same side identically on both peers.
     */
    readonly tieBreak: Buffer,
    readonly remoteAddress: string,
    private readonly channel: MessageChannel,
    private readonly info: SessionInfo,
    private readonly clock: Clock,
    private readonly events: SessionEvents,
  ) {
    this.heartbeat = new Heartbeat(clock, {
      send: (seq, t) => this.channel.send({ type: 'HEARTBEAT', seq, t }),
      onRtt: (ms) => this.events.onRtt(this, ms),
      // While we hold reading back the peer's beats wait in TCP: that silence is ours, not theirs.
      onDead: (ms) => (this.channel.readingHeld ? this.heartbeat.start() : this.close('ERR_IDLE_TIMEOUT', `no heartbeat for ${Math.round(ms)} ms`)),
    });
    this.helloTimer = clock.setTimeout(() => this.close('ERR_HANDSHAKE_TIMEOUT', 'no HELLO/ACCEPT in time'), HELLO_TIMEOUT_MS);
    channel.attach({
      onMessage: (m) => this.onMessage(m),
      onClose: (err) => this.onChannelClosed(err),
    });
    channel.send({ type: 'HELLO', v: PROTOCOL_VERSION, name: info.selfName, port: info.listenPort, caps: [...CAPABILITIES] });
  }

  get isReady(): boolean {
    return this.ready && !this.ended;
  }

  get peerHello(): Hello | undefined {
    return this.gotHello;
  }

  get rttMs(): number | undefined {
    return this.heartbeat.rttMs;
  }

  send(msg: Message): boolean {
    if (this.ended) return false;
    return this.channel.send(msg);
  }

  /**
   * Count `work` (started by one of the peer's messages) until it settles; while MAX_PENDING_WORK
   * are unsettled, reading from the peer stops. Returns `work`.
   */
  track<T>(work: Promise<T>): Promise<T> {
    if (++this.pendingWork >= MAX_PENDING_WORK && !this.releaseReading) this.releaseReading = this.channel.holdReading();
    const done = () => {
      if (--this.pendingWork < MAX_PENDING_WORK && this.releaseReading) {
        this.releaseReading();
        this.releaseReading = undefined;
      }
    };
    work.then(done, done);
    return work;
  }

  /** The peer broke the session protocol (wrong family, an answer to nothing we sent): drop it, with why. */
  violation(message: string): void {
    this.close('ERR_SESSION_PROTOCOL', `protocol error: ${message}`);
  }

  /** Close with BYE (clean) or just drop. */
  close(code: string, message: string, bye = false): void {
    if (this.ended) return;
    if (bye) this.channel.closeWith({ type: 'BYE', reason: message.slice(0, 200) }, code, message);
    else this.channel.destroy(code, message);
    this.end({ code, message, bye: false });
  }

  /** Refuse this connection (e.g. a duplicate) with DENY. */
  deny(code: 'DUPLICATE' | 'SHUTTING_DOWN' | 'NOT_TRUSTED' | 'BUSY', message: string): void {
    if (this.ended) return;
    this.channel.closeWith({ type: 'DENY', code, message }, `ERR_DENIED`, message);
    this.end({ code: 'ERR_DENIED', message, bye: false });
  }

  private onMessage(m: Message): void {
    if (this.ended) return;
    this.heartbeat.heard();
    switch (m.type) {
      case 'HELLO': {
        if (this.gotHello) return this.close('ERR_MALFORMED_MESSAGE', 'second HELLO');
        const verdict = negotiateHello(PROTOCOL_VERSION, m);
        if (!verdict.ok) {
          this.channel.closeWith(verdict.deny, 'ERR_VERSION_MISMATCH', verdict.deny.message ?? 'version mismatch');
          return this.end({ code: 'ERR_VERSION_MISMATCH', message: verdict.deny.message ?? 'version mismatch', bye: false });
        }
        this.gotHello = m;
        this.channel.send({ type: 'ACCEPT', name: this.info.selfName });
        return this.maybeReady();
      }
      case 'ACCEPT':
        if (this.gotAccept) return this.violation('second ACCEPT');
        this.gotAccept = true;
        return this.maybeReady();
      case 'DENY':
        return this.close(m.code === 'VERSION_MISMATCH' ? 'ERR_VERSION_MISMATCH' : 'ERR_DENIED', `peer denied: ${m.code}${m.message ? ` (${m.message})` : ''}`);
      case 'BYE':
        this.byeReceived = true;
        this.channel.destroy('ERR_CONNECTION_CLOSED', 'peer said goodbye');
        return this.end({ code: 'ERR_CONNECTION_CLOSED', message: m.reason ?? 'peer said goodbye', bye: true });
      case 'HEARTBEAT':
        this.channel.send({ type: 'HEARTBEAT_ACK', seq: m.seq, t: m.t });
        return;
      case 'HEARTBEAT_ACK':
        this.heartbeat.ack(m.t);
        return;
      default:
        if (!this.ready) return this.close('ERR_MALFORMED_MESSAGE', `${m.type} before the session was ready`);
        // Session and heartbeat messages end here; everything else goes to the services, and a type
        // no service owns (pairing and bulk messages have their own connections) closes the session.
        this.events.onMessage(this, m);
    }
  }

  private maybeReady(): void {
    if (this.ready || !this.gotHello || !this.gotAccept) return;
    this.ready = true;
    this.clock.clearTimeout(this.helloTimer);
    this.heartbeat.start();
    this.events.onReady(this);
  }

  private onChannelClosed(err: { code: string; message: string } | undefined): void {
    this.end({ code: err?.code ?? 'ERR_CONNECTION_CLOSED', message: err?.message ?? 'connection closed', bye: this.byeReceived });
  }

  private end(reason: { code: string; message: string; bye: boolean }): void {
    if (this.ended) return;
    this.ended = true;
    this.clock.clearTimeout(this.helloTimer);
    this.heartbeat.stop();
    this.events.onClosed(this, reason);
  }
}

/**
 * Of two live sessions with one peer, the one dialled by the smaller device ID
 * survives; both ends compute the same answer. Same dialler: the one with the
 * larger TLS exporter value (SESSION_TIEBREAK_LABEL) survives.
 */
export function preferredSession(selfId: DeviceId, a: Session, b: Session): Session {
  const dialler = (s: Session) => (s.initiatedBySelf ? selfId : s.peerId);
  const da = dialler(a);
  const db = dialler(b);
  // Both dialled by the same side (e.g. a static address and a pinned one): local session
  // numbers can differ in order between the peers, the connection's exporter value cannot.
  if (da === db) return Buffer.compare(a.tieBreak, b.tieBreak) >= 0 ? a : b;
  const min = da < db ? da : db;
  return da === min ? a : b;
}
