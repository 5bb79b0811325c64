/**
 * Discrete transfer events, for the engine to pass on (headless `--json`,
 * logs, tests). Continuous progress is sampled: `transfer-progress` comes at
 * most every PROGRESS_SAMPLE_MS per transfer, never per chunk.
 */
import type { DeviceId } from '../../protocol/device-id.js';

export interface TransferEventMap {
  'offer-received': { id: string; deviceId: DeviceId; name: string; files: Array<{ path: string; size: number }>; dirs: string[]; total: number };
  /** Sender: the offer is out; waiting for the receiver to accept (`name`: the receiver). */
  'transfer-offered': { id: string; deviceId: DeviceId; name: string; files: number; total: number };
  'transfer-started': { id: string; deviceId: DeviceId; direction: 'send' | 'receive'; attempt: number };
  'transfer-progress': { id: string; bytes: number; total: number };
  /** Receiver: `paths` are where the files landed, relative to the downloads folder. */
  'transfer-done': { id: string; direction: 'send' | 'receive'; paths: string[]; bytes: number; bytesOnWire: number };
  'transfer-failed': { id: string; direction: 'send' | 'receive'; code: string; reason: string };
  /** Resumable stop (link lost, disk full); it continues by itself. */
  'transfer-paused': { id: string; direction: 'send' | 'receive'; code: string; reason: string };
  /** Sender: a source changed; the named files are sent again from the start. */
  'transfer-restarted': { id: string; reason: string };
}

export type TransferEventType = keyof TransferEventMap;
export type TransferEvent = { [K in TransferEventType]: { type: K } & TransferEventMap[K] }[TransferEventType];
