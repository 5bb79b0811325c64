/** Chat as a session service: owns CHAT and CHAT_ACK, forgets pending acks when a peer goes offline. */
import type { PeerService } from '../connections/service.js';
import type { ChatService } from './chat-service.js';

export function chatPeerService(chat: ChatService, bg: (p: Promise<unknown>) => void): PeerService {
  return {
    name: 'chat',
    messageTypes: ['CHAT', 'CHAT_ACK'],
    onMessage(peerId, m, reply) {
      if (m.type === 'CHAT') bg(chat.received(peerId, m).then((ack) => reply(ack)));
      else if (m.type === 'CHAT_ACK') bg(chat.acked(peerId, m.id));
    },
    peerOffline: (peerId) => chat.sessionLost(peerId),
  };
}
