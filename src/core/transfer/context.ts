/** What every transfer gets from its manager: clock, I/O seams, shared workers and the ways out. */
import type { DeviceId } from '../../protocol/device-id.js';
import type { Message } from '../../protocol/messages/index.js';
import type { Clock, Random } from '../clock.js';
import type { PeerSocket } from '../tls/peer-socket.js';
import type { TransferEvent } from './events.js';
import type { TransferFs } from './fs-ops.js';
import type { HashPool } from './hash-pool.js';
import type { ChunkHashCache } from './hash-cache.js';

export interface TransferContext {
  readonly clock: Clock;
  readonly random: Random;
  readonly fs: TransferFs;
  readonly hashPool: HashPool;
  readonly cache: ChunkHashCache;
  readonly windowChunks: number;
  readonly offerTimeoutMs: number;
  sendControl(peerId: DeviceId, msg: Message): boolean;
  dialBulk(peerId: DeviceId): Promise<PeerSocket>;
  isOnline(peerId: DeviceId): boolean;
  /** The peer's local name, for events a person reads. */
  nameOf(peerId: DeviceId): string;
  emit(event: TransferEvent): void;
  /** Something the views show changed (not for byte counters: those are sampled). */
  changed(): void;
}

/** How a transfer ended, for `waitFor`. */
export interface TransferResult {
  readonly ok: boolean;
  readonly code?: string;
  readonly reason?: string;
}

export function randomHex(random: Random, bytes: number): string {
  return random.bytes(bytes).toString('hex');
}
