/** `peerdeck trust`: pin, unpin and list peers, and name the candidates a PEER argument may mean. */
import type { DeviceId } from '../../protocol/device-id.js';
import type { Clock } from '../clock.js';
import type { ConnectionLayer } from '../connections/connection-layer.js';
import type { EngineEventMap } from './events.js';
import type { EngineStore, PinnedPeer } from './engine-options.js';
import type { TypedEmitter } from '../typed-emitter.js';

export interface TrustDeps {
  store: EngineStore;
  clock: Clock;
  connections: ConnectionLayer;
  events: TypedEmitter<EngineEventMap>;
  changed(urgent?: boolean): void;
}

export class TrustCommands {
  constructor(private readonly d: TrustDeps) {}

  list(): PinnedPeer[] {
    return this.d.store.listPins();
  }

  add(deviceId: DeviceId, name: string, policy: PinnedPeer['policy'] = 'ask'): PinnedPeer {
    const address = this.d.store.getPin(deviceId)?.address;
    const pin: PinnedPeer = { deviceId, name, pinnedAt: this.d.clock.wallNow(), policy, ...(address ? { address } : {}) };
    this.d.store.putPin(pin);
    this.d.connections.want(deviceId, 0);
    this.d.changed();
    return pin;
  }

  /** Unpin; a live session with that peer closes at once. */
  remove(deviceId: DeviceId): boolean {
    const pin = this.d.store.getPin(deviceId);
    if (!pin) return false;
    this.d.store.removePin(deviceId);
    this.d.connections.disconnect(deviceId, 'ERR_NOT_PINNED', 'trust removed');
    this.d.events.emit('trust-removed', { deviceId, name: pin.name });
    this.d.changed(true);
    return true;
  }

  /** Pinned and discovered peers, for naming PEER on the command line. */
  candidates(): { deviceId: DeviceId; name: string; pinned: boolean }[] {
    const pins = this.d.store.listPins();
    const pinned = new Set(pins.map((p) => p.deviceId));
    return [
      ...pins.map((p) => ({ deviceId: p.deviceId, name: p.name, pinned: true })),
      ...this.d.connections.peers().filter((r) => !pinned.has(r.deviceId)).map((r) => ({ deviceId: r.deviceId, name: r.announcedName ?? '', pinned: false })),
    ];
  }
}
