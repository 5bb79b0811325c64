/** The outbox as a session service: a peer coming online makes its queued items due now. */
import type { PeerService } from '../connections/service.js';
import type { Outbox } from './outbox.js';

export function outboxPeerService(outbox: Outbox): PeerService {
  return {
    name: 'outbox',
    messageTypes: [],
    peerOnline: (peerId) => outbox.peerSeen(peerId),
  };
}
