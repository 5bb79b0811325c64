/** The engine's one immutable snapshot, put together from each part's slice. */
import { shortId, type DeviceId } from '../../protocol/device-id.js';
import type { ChatHistory } from '../chat/chat-history.js';
import type { ConnectionLayer } from '../connections/connection-layer.js';
import type { EngineSnapshot } from '../engine-api.js';
import type { PairingManager } from '../pairing/pairing-manager.js';
import type { TransferManager } from '../transfer/transfer-manager.js';
import type { FileSends } from './file-sends.js';
import type { NoticeBoard } from './notices.js';

export interface SnapshotParts {
  selfId: DeviceId;
  name: string;
  /** Monotonic ms (notices fade by it). */
  now: number;
  connections: ConnectionLayer;
  /** Services exist once start() has built them; a snapshot can be taken before (trustAdd on a new engine). */
  history: ChatHistory | undefined;
  transfers: TransferManager | undefined;
  sends: FileSends | undefined;
  pairing: PairingManager;
  notices: NoticeBoard;
  relay?: string;
}

export function assembleSnapshot(p: SnapshotParts): EngineSnapshot {
  const chats: Record<string, EngineSnapshot['chats'][string]> = {};
  if (p.history) for (const id of p.history.peers()) chats[id] = p.history.messages(id);
  return {
    self: {
      deviceId: p.selfId,
      shortId: shortId(p.selfId),
      name: p.name,
      ...(p.connections.listenAddress ? { listenAddress: p.connections.listenAddress } : {}),
      ...(p.relay !== undefined ? { relay: p.relay } : {}),
    },
    peers: p.connections.views(),
    transfers: p.transfers && p.sends ? [...p.transfers.views(), ...p.sends.queuedViews()] : [],
    chats,
    pairings: p.pairing.views(),
    offers: p.transfers ? p.transfers.offers() : [],
    notices: p.notices.current(p.now),
  };
}
