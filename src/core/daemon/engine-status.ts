/**
 * `peerdeck status`: what the process running an identity's engine reports
 * about itself, as plain JSON.
 */
import type { EngineSnapshot } from '../engine-api.js';

/** Which command hosts the engine. */
export type EngineHostKind = 'daemon' | 'listen' | 'receive' | 'dashboard' | 'command' | 'library';

export interface EngineStatus {
  running: true;
  host: EngineHostKind;
  pid: number;
  deviceId: string;
  name: string;
  /** Wall-clock ms when the engine started. */
  startedAt: number;
  uptimeSeconds: number;
  /** `host:port`, when listening. */
  listening?: string;
  peersOnline: number;
  peersTrusted: number;
  transfersActive: number;
  transfersQueued: number;
}

const ACTIVE = new Set(['offered', 'active', 'verifying', 'paused']);
const QUEUED = new Set(['queued', 'retrying']);

export function engineStatus(snap: EngineSnapshot, host: EngineHostKind, startedAt: number, now = Date.now()): EngineStatus {
  return {
    running: true,
    host,
    pid: process.pid,
    deviceId: snap.self.deviceId,
    name: snap.self.name,
    startedAt,
    uptimeSeconds: Math.max(0, Math.floor((now - startedAt) / 1000)),
    ...(snap.self.listenAddress ? { listening: snap.self.listenAddress } : {}),
    peersOnline: snap.peers.filter((p) => p.state === 'online').length,
    peersTrusted: snap.peers.filter((p) => p.verified).length,
    transfersActive: snap.transfers.filter((t) => ACTIVE.has(t.state)).length,
    transfersQueued: snap.transfers.filter((t) => QUEUED.has(t.state)).length,
  };
}
