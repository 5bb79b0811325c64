/** What an engine is built from: identity, store interface, network switches, timers. */
import type { DeviceId } from '../../protocol/device-id.js';
import type { PinnedPeer } from '../../store/store.js';
import type { Clock, Random } from '../clock.js';
import type { RecordLog } from '../record-log.js';

export type { PinnedPeer };

/** What the engine needs from the store (core → store through its interface). */
export interface EngineStore {
  listPins(): PinnedPeer[];
  getPin(id: DeviceId): PinnedPeer | undefined;
  putPin(pin: PinnedPeer): void;
  removePin(id: DeviceId): boolean;
  openLog<T>(name: string): Promise<RecordLog<T>>;
}

export interface EngineIdentity {
  deviceId: DeviceId;
  certPem: string;
  keyPem: string;
}

export interface EngineOptions {
  identity: EngineIdentity;
  store: EngineStore;
  name: string;
  /** Accept connections (null: a private one-shot engine that only dials out). */
  listen: { host: string; port: number } | null;
  /** LAN discovery (null: off). */
  discovery: { port: number; broadcast?: string[] } | null;
  staticPeers?: { host: string; port: number }[];
  /** 'own': a private one-shot engine delivers only outbox work it queued or was asked to retry. */
  outboxScope?: 'all' | 'own';
  clock?: Clock;
  random?: Random;
  /** Pairing requests time out after this (default PAIRING_TIMEOUT_MS). */
  pairingTimeoutMs?: number;
  /** Where received files are published (created if missing). */
  downloadsDir: string;
  /** How long a sent offer waits for the receiver's answer. */
  offerTimeoutMs?: number;
  /** Home relay (the `relay` setting); only an engine that listens registers, a one-shot engine would replace its registration. */
  relay?: { address: string; keepaliveMs?: number; onPinned?: (hostPort: string, id: DeviceId) => void };
}
