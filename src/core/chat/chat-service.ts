/**
 * Chat between trusted peers. Sending: the message is written to the history
 * and the outbox (both fsynced) before the caller hears "queued"; the outbox
 * hands it to `deliver` whenever the peer is reachable, until the peer's
 * CHAT_ACK arrives. Receiving: a message is stored before it is acknowledged,
 * and a repeat of an id already stored is acknowledged again but shown once —
 * so each message is delivered exactly once across reconnects.
 */
import type { DeviceId } from '../../protocol/device-id.js';
import { checkChatText, type Chat } from '../../protocol/messages/chat.js';
import type { Clock, Random, TimerHandle } from '../clock.js';
import { EngineError } from '../errors.js';
import type { Outbox, OutboxItem } from '../outbox/outbox.js';
import type { ChatHistory } from './chat-history.js';

/** No CHAT_ACK this long after sending: try again (the session may be half dead). */
export const CHAT_ACK_TIMEOUT_MS = 10_000;

export interface ChatPayload {
  text: string;
  at: number;
}

export interface ChatServiceDeps {
  history: ChatHistory;
  outbox: Outbox;
  clock: Clock;
  random: Random;
  /** Send on the peer's live session; false when there is none. */
  sendToPeer(peerId: DeviceId, msg: Chat): boolean;
  /** The peer is needed: dial it if we can. */
  wantPeer(peerId: DeviceId): void;
  onReceived(peerId: DeviceId, m: { id: string; text: string; at: number }): void;
  onDelivered(peerId: DeviceId, id: string): void;
  onChange(): void;
  /** A background write failed (journal closed, disk full): report it, never crash. */
  onError(err: unknown): void;
}

export class ChatService {
  private readonly awaitingAck = new Map<string, { peerId: DeviceId; timer: TimerHandle }>();
  /** Incoming ids being stored right now (a repeat arriving meanwhile must not be stored twice). */
  private readonly storing = new Map<string, Promise<void>>();

  constructor(private readonly d: ChatServiceDeps) {}

  /** Queue a message; resolves once it is on disk (state "queued"). */
  async send(peerId: DeviceId, text: string): Promise<{ id: string }> {
    try {
      checkChatText(text);
    } catch (err) {
      throw new EngineError('ERR_MESSAGE_TOO_LARGE', err instanceof Error ? err.message : String(err), 'usage', { cause: err });
    }
    const id = this.d.random.bytes(12).toString('hex');
    const at = this.d.clock.wallNow();
    await this.d.history.add({ id, peerId, dir: 'out', text, at, state: 'queued' });
    const payload: ChatPayload = { text, at };
    await this.d.outbox.add({ id, peerId, kind: 'chat', dedupeKey: `chat:${id}`, payload, createdAt: at });
    this.d.onChange();
    return { id };
  }

  /** The outbox says: try this one now. */
  deliver(item: OutboxItem): void {
    const { text, at } = item.payload as ChatPayload;
    const sent = this.d.sendToPeer(item.peerId, { type: 'CHAT', id: item.id, text, at });
    if (!sent) {
      this.bg(this.d.outbox.markRetry(item.id, { code: 'ERR_PEER_OFFLINE', message: 'peer is offline' }));
      this.d.wantPeer(item.peerId);
      return;
    }
    this.bg(this.d.history.setState(item.peerId, item.id, 'sent').then(() => this.d.onChange()));
    const prev = this.awaitingAck.get(item.id);
    if (prev) this.d.clock.clearTimeout(prev.timer);
    const timer = this.d.clock.setTimeout(() => {
      this.awaitingAck.delete(item.id);
      this.bg(this.d.outbox.markRetry(item.id, { code: 'ERR_TIMEOUT', message: 'no acknowledgement' }));
    }, CHAT_ACK_TIMEOUT_MS);
    this.awaitingAck.set(item.id, { peerId: item.peerId, timer });
  }

  /**
   * CHAT_ACK from a peer. Only that peer can acknowledge its own messages. Resolves false when the
   * ack answers nothing we sent that peer (no such message in the outbox or the history): the
   * caller treats that as a protocol error. A repeated ack of a delivered message is fine.
   */
  async acked(peerId: DeviceId, id: string): Promise<boolean> {
    const pending = this.awaitingAck.get(id);
    const item = this.d.outbox.get(id);
    if (!item || item.peerId !== peerId || item.kind !== 'chat') return this.d.history.has(peerId, id, 'out');
    if (pending) {
      this.d.clock.clearTimeout(pending.timer);
      this.awaitingAck.delete(id);
    }
    if (item.state === 'delivered') return true;
    await this.d.outbox.markDelivered(id);
    await this.d.history.setState(peerId, id, 'delivered');
    this.d.onDelivered(peerId, id);
    this.d.onChange();
    return true;
  }

  /** CHAT from a peer: store, then acknowledge. Returns the ack to send. */
  async received(peerId: DeviceId, msg: Chat): Promise<{ type: 'CHAT_ACK'; id: string }> {
    const key = `${peerId}/${msg.id}`;
    const inFlight = this.storing.get(key);
    if (inFlight) await inFlight;
    else if (!this.d.history.has(peerId, msg.id, 'in')) {
      const p = this.d.history.add({ id: msg.id, peerId, dir: 'in', text: msg.text, at: msg.at, state: 'received' });
      this.storing.set(key, p);
      try {
        await p;
      } finally {
        this.storing.delete(key);
      }
      this.d.onReceived(peerId, { id: msg.id, text: msg.text, at: msg.at });
      this.d.onChange();
    }
    return { type: 'CHAT_ACK', id: msg.id };
  }

  /** The session with this peer ended: unacknowledged messages go back to the outbox. */
  sessionLost(peerId: DeviceId): void {
    for (const [id, p] of this.awaitingAck) {
      if (p.peerId !== peerId) continue;
      this.d.clock.clearTimeout(p.timer);
      this.awaitingAck.delete(id);
      this.bg(this.d.outbox.markRetry(id, { code: 'ERR_CONNECTION_CLOSED', message: 'connection lost before acknowledgement' }));
    }
  }

  private bg(p: Promise<unknown>): void {
    p.catch((err: unknown) => this.d.onError(err));
  }

  stop(): void {
    for (const p of this.awaitingAck.values()) this.d.clock.clearTimeout(p.timer);
    this.awaitingAck.clear();
  }
}
