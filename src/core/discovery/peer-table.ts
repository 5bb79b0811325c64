/**
 * Who discovery has heard, and when: pure bookkeeping (no sockets, no timers;
 * the caller passes `now`). An entry is fresh while heard within
 * `staleAfterMs`, then stale, then forgotten after `forgetAfterMs`. The table
 * is capped; the least recently heard peer is evicted to make room.
 */
import type { DeviceId } from '../../protocol/device-id.js';
import type { DiscoveryVersion } from '../../protocol/discovery-packet.js';

/** One datagram's worth of facts about a peer. */
export interface PeerSighting {
  readonly deviceId: DeviceId;
  readonly name: string;
  /** Source IP of the datagram (never an address from the payload). */
  readonly address: string;
  /** TCP port announced in the packet. */
  readonly port: number;
  readonly version: DiscoveryVersion;
}

export interface DiscoveredPeer extends PeerSighting {
  /**
   * Distinct source IPs this device ID was heard from, most recent first (at
   * most MAX_ADDRESSES). Anyone can announce any device ID (reliability D1), so
   * a spoofer does not hide the real address: the engine may try each, and TLS
   * decides which one really holds the ID.
   */
  readonly addresses: readonly string[];
  /** Monotonic ms. */
  readonly firstSeen: number;
  /** Monotonic ms. */
  readonly lastSeen: number;
  readonly stale: boolean;
}

export interface SeenResult {
  readonly peer: DiscoveredPeer;
  /** Not in the table before this sighting. */
  readonly firstTime: boolean;
  /** Was in the table, marked stale. */
  readonly wasStale: boolean;
  /** A peer evicted to make room for this one. */
  readonly evicted?: DiscoveredPeer;
}

export interface SweepResult {
  /** Newly stale (reported once). */
  readonly stale: readonly DiscoveredPeer[];
  /** Silent past `forgetAfterMs`; now removed. */
  readonly forgotten: readonly DiscoveredPeer[];
}

export interface PeerTableOptions {
  readonly staleAfterMs: number;
  readonly forgetAfterMs: number;
  readonly maxPeers: number;
}

export const MAX_ADDRESSES = 4;

export class PeerTable {
  /** Map order is least recently heard first (entries are re-inserted on every sighting). */
  private readonly peers = new Map<DeviceId, DiscoveredPeer>();

  constructor(private readonly options: PeerTableOptions) {}

  seen(sighting: PeerSighting, now: number): SeenResult {
    const before = this.peers.get(sighting.deviceId);
    const addresses = [sighting.address, ...(before?.addresses ?? []).filter((a) => a !== sighting.address)].slice(
      0,
      MAX_ADDRESSES,
    );
    const peer: DiscoveredPeer = {
      ...sighting,
      addresses,
      firstSeen: before?.firstSeen ?? now,
      lastSeen: now,
      stale: false,
    };
    this.peers.delete(sighting.deviceId);
    let evicted: DiscoveredPeer | undefined;
    if (!before && this.peers.size >= this.options.maxPeers) {
      const oldest = this.peers.values().next().value;
      if (oldest) {
        this.peers.delete(oldest.deviceId);
        evicted = oldest;
      }
    }
    this.peers.set(sighting.deviceId, peer);
    return { peer, firstTime: !before, wasStale: before?.stale ?? false, ...(evicted ? { evicted } : {}) };
  }

  /** Removes a peer (after BYE). Returns it if it was there. */
  remove(deviceId: DeviceId): DiscoveredPeer | undefined {
    const peer = this.peers.get(deviceId);
    this.peers.delete(deviceId);
    return peer;
  }

  sweep(now: number): SweepResult {
    const stale: DiscoveredPeer[] = [];
    const forgotten: DiscoveredPeer[] = [];
    for (const peer of this.peers.values()) {
      const silent = now - peer.lastSeen;
      if (silent < this.options.staleAfterMs) break; // the rest were heard more recently
      if (silent >= this.options.forgetAfterMs) {
        forgotten.push(peer);
      } else if (!peer.stale) {
        const marked = { ...peer, stale: true };
        this.peers.set(peer.deviceId, marked); // same key: keeps its place in the order
        stale.push(marked);
      }
    }
    for (const peer of forgotten) this.peers.delete(peer.deviceId);
    return { stale, forgotten };
  }

  get(deviceId: DeviceId): DiscoveredPeer | undefined {
    return this.peers.get(deviceId);
  }

  /** Current entries, most recently heard first. */
  list(): DiscoveredPeer[] {
    return [...this.peers.values()].reverse();
  }

  get size(): number {
    return this.peers.size;
  }

  clear(): void {
    this.peers.clear();
  }
}
