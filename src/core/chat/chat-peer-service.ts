/** Chat as a session service: owns CHAT and CHAT_ACK, forgets pending acks when a peer goes offline. */
import type { PeerService } from '../connections/service.js';
import type { ChatService } from './chat-service.js';

export function chatPeerService(chat: ChatService, bg: (p: Promise<unknown>) => void): PeerService {
  return {
    name: 'chat',
    messageTypes: ['CHAT', 'CHAT_ACK'],
    onMessage(peerId, m, session) {
      // Storing a message is tracked: a peer that sends faster than we store is not read meanwhile.
      if (m.type === 'CHAT') bg(session.track(chat.received(peerId, m)).then((ack) => session.reply(ack)));
      else if (m.type === 'CHAT_ACK') bg(chat.acked(peerId, m.id).then((ok) => ok || session.violation(`CHAT_ACK for ${m.id}, a message never sent to this peer`)));
    },
    peerOffline: (peerId) => chat.sessionLost(peerId),
  };
}
