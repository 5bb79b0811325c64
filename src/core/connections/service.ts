/**
 * The contract between the connection layer and the services that attach to
 * sessions (chat, transfers, outbox, later relay client and swarm): a service
 * names the message types it owns and hears when a trusted peer comes online
 * or goes offline. The registry routes each session message to its owner, so
 * a new capability is a new service, not a new branch in the engine.
 */
import type { DeviceId } from '../../protocol/device-id.js';
import type { Message } from '../../protocol/messages/index.js';

export type MessageType = Message['type'];

/** The session a message came in on, as a service sees it. */
export interface SessionContext {
  /** Answer on the same session; false when it is gone. */
  reply(msg: Message): boolean;
  /** Count work started by this message; while too much is unfinished, the peer is not read (backpressure). */
  track<T>(work: Promise<T>): Promise<T>;
  /** The peer broke the protocol (e.g. answered something never sent): close the session with ERR_SESSION_PROTOCOL. */
  violation(reason: string): void;
}

export interface PeerService {
  /** For messages and diagnostics ("chat", "transfers"). */
  readonly name: string;
  /** Session message types this service owns (each type has at most one owner). */
  readonly messageTypes: readonly MessageType[];
  /** A message of one of `messageTypes`, with the session it came in on. */
  onMessage?(peerId: DeviceId, msg: Message, session: SessionContext): void;
  /** A session with this trusted peer is ready. */
  peerOnline?(peerId: DeviceId): void;
  /** The live session with this peer is gone. */
  peerOffline?(peerId: DeviceId): void;
}

export class ServiceRegistry {
  private readonly services: PeerService[] = [];
  private readonly owners = new Map<MessageType, PeerService>();

  /** Services hear online/offline in the order they were registered. */
  register(service: PeerService): void {
    for (const type of service.messageTypes) {
      const owner = this.owners.get(type);
      if (owner) throw new Error(`message type ${type} is owned by ${owner.name} already (registering ${service.name})`);
    }
    for (const type of service.messageTypes) this.owners.set(type, service);
    this.services.push(service);
  }

  ownerOf(type: MessageType): PeerService | undefined {
    return this.owners.get(type);
  }

  /** Hand `msg` to its owner; false when no service owns its type. */
  route(peerId: DeviceId, msg: Message, session: SessionContext): boolean {
    const owner = this.owners.get(msg.type);
    if (!owner?.onMessage) return false;
    owner.onMessage(peerId, msg, session);
    return true;
  }

  peerOnline(peerId: DeviceId): void {
    for (const s of this.services) s.peerOnline?.(peerId);
  }

  peerOffline(peerId: DeviceId): void {
    for (const s of this.services) s.peerOffline?.(peerId);
  }
}
