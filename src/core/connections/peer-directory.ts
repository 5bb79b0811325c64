/**
 * What the engine knows about each peer right now: discovery sightings,
 * static addresses, live sessions and dial state, merged with the pin store
 * into `PeerView`s. Volatile: none of this is persisted (the pin store keeps
 * only the name, policy and last dial address of trusted peers).
 */
import { shortId, type DeviceId } from '../../protocol/device-id.js';
import type { PeerState, PeerView } from '../engine-api.js';
import type { Session } from './session.js';

export interface PeerRecord {
  deviceId: DeviceId;
  /** Name from discovery or HELLO (unverified, raw). */
  announcedName?: string;
  /** Where discovery last heard it: the datagram source + announced TCP port. */
  hint?: { host: string; port: number };
  discovery: 'fresh' | 'stale' | 'none';
  /** Monotonic ms of the last 'peer-discovered' event for it (events are coalesced). */
  discoveredEventAt?: number;
  /** Wall-clock ms of the last sign of life. */
  lastSeen?: number;
  session?: Session;
  connecting: boolean;
  rttMs?: number;
}

export interface PinInfo {
  deviceId: DeviceId;
  name: string;
  address?: string;
}

export class PeerDirectory {
  private readonly records = new Map<DeviceId, PeerRecord>();

  get(id: DeviceId): PeerRecord | undefined {
    return this.records.get(id);
  }

  ensure(id: DeviceId): PeerRecord {
    let r = this.records.get(id);
    if (!r) {
      r = { deviceId: id, discovery: 'none', connecting: false };
      this.records.set(id, r);
    }
    return r;
  }

  all(): PeerRecord[] {
    return [...this.records.values()];
  }

  /** Forget a peer that is neither pinned nor connected nor discovered. */
  prune(id: DeviceId, pinned: boolean): void {
    const r = this.records.get(id);
    if (r && !pinned && !r.session && !r.connecting && r.discovery === 'none') this.records.delete(id);
  }

  online(id: DeviceId): boolean {
    return this.records.get(id)?.session?.isReady === true;
  }

  /** The dashboard's and `peers`' view: pinned peers first, then by name. */
  views(pins: readonly PinInfo[]): PeerView[] {
    const pinById = new Map(pins.map((p) => [p.deviceId, p]));
    const ids = new Set<DeviceId>([...pinById.keys(), ...this.records.keys()]);
    const out: PeerView[] = [];
    for (const id of ids) {
      const r = this.records.get(id);
      const pin = pinById.get(id);
      if (!pin && (!r || (r.discovery === 'none' && !r.session))) continue;
      const state: PeerState = r?.session?.isReady
        ? 'online'
        : r?.connecting
          ? 'connecting'
          : r?.discovery === 'stale'
            ? 'stale'
            : r?.discovery === 'fresh' && !pin
              ? 'online'
              : 'offline';
      const address = r?.session ? `${r.session.remoteAddress}:${r.session.peerHello?.port ?? ''}` : r?.hint ? `${r.hint.host}:${r.hint.port}` : pin?.address;
      out.push({
        deviceId: id,
        shortId: shortId(id),
        name: pin?.name ?? r?.announcedName ?? '',
        verified: !!pin,
        state,
        ...(r?.rttMs !== undefined && r.session?.isReady ? { rttMs: r.rttMs } : {}),
        ...(r?.lastSeen !== undefined ? { lastSeen: r.lastSeen } : {}),
        ...(address ? { address } : {}),
      });
    }
    return out.sort((a, b) => Number(b.verified) - Number(a.verified) || a.name.localeCompare(b.name) || a.deviceId.localeCompare(b.deviceId));
  }
}
