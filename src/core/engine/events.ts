/**
 * Discrete engine events: for headless `--json` output (one object per line,
 * `type` first), logging and tests. Continuous state lives in the snapshot.
 */
import type { DeviceId } from '../../protocol/device-id.js';
import type { TransferEventMap } from '../transfer/events.js';

export interface EngineEventMap extends TransferEventMap {
  listening: { address: string; port: number };
  'peer-discovered': { deviceId: DeviceId; name: string; address: string; port: number; verified: boolean };
  'peer-online': { deviceId: DeviceId; name: string; address: string };
  'peer-offline': { deviceId: DeviceId; name: string; reason: string };
  'peer-left': { deviceId: DeviceId; name: string };
  'cert-changed': { expected: DeviceId; got: DeviceId; address: string };
  'pair-request': { pairingId: string; deviceId: DeviceId; name: string; address: string; code: string; direction: 'incoming' | 'outgoing' };
  paired: { pairingId: string; deviceId: DeviceId; name: string };
  'pair-failed': { pairingId: string; deviceId: DeviceId; name: string; code: string; message: string };
  'chat-received': { deviceId: DeviceId; name: string; id: string; text: string; at: number };
  'chat-queued': { deviceId: DeviceId; id: string };
  'chat-delivered': { deviceId: DeviceId; id: string };
  'trust-removed': { deviceId: DeviceId; name: string };
  'outbox-queued': { id: string; deviceId: DeviceId; kind: 'chat' | 'send' };
  'outbox-delivered': { id: string; deviceId: DeviceId; kind: 'chat' | 'send' };
  error: { code: string; message: string; deviceId?: DeviceId };
}

export type EngineEventType = keyof EngineEventMap;
export type EngineEvent = { [K in EngineEventType]: { type: K } & EngineEventMap[K] }[EngineEventType];
