/**
 * Transfers as a session service: owns the transfer control messages and
 * hears peers come and go; inbound bulk connections (their own ALPN) from
 * trusted peers go to the manager too.
 */
import type { DeviceId } from '../../protocol/device-id.js';
import type { TransferControlMessage } from '../../protocol/messages/transfer.js';
import type { AlpnHandler } from '../connections/connection-layer.js';
import type { PeerService } from '../connections/service.js';
import type { TransferManager } from './transfer-manager.js';

export const TRANSFER_CONTROL_TYPES = [
  'OFFER', 'OFFER_ACCEPT', 'OFFER_DENY', 'CANCEL', 'TRANSFER_DONE', 'TRANSFER_PAUSE',
] as const satisfies readonly TransferControlMessage['type'][];

export function transferPeerService(transfers: TransferManager): PeerService {
  return {
    name: 'transfers',
    messageTypes: TRANSFER_CONTROL_TYPES,
    onMessage(peerId, m, session) {
      if (!transfers.handleControl(peerId, m as TransferControlMessage)) session.violation(`${m.type} for an offer never made to this peer`);
    },
    peerOnline: (peerId) => transfers.peerOnline(peerId),
    peerOffline: (peerId) => transfers.peerOffline(peerId),
  };
}

export function bulkAlpnHandler(transfers: TransferManager, isPinned: (id: DeviceId) => boolean): AlpnHandler {
  return {
    admit: (req) => isPinned(req.deviceId),
    incoming: (s) => transfers.handleBulk(s),
  };
}
