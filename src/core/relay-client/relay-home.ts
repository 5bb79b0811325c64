/**
 * The engine's home relay: one RelayClient for the `relay` setting, a one-line
 * state for the snapshot (`self.relay`, shown in the dashboard header), and a
 * PeerService slot in the registry (it owns no session message yet; telling
 * peers our home relay in HELLO and depositing for offline peers come next).
 *
 * The relay's ID pinned on first use is handed to `onPinned`, which the runtime
 * writes back into the stored setting as host:port#DEVICE_ID (a relay given
 * only by --relay keeps its pin for the run).
 */
import type { Clock, Random } from '../clock.js';
import type { PeerService } from '../connections/service.js';
import type { DeviceId } from '../../protocol/device-id.js';
import { shortId } from '../../protocol/device-id.js';
import { parseRelayAddress, type RelayAddress } from './relay-address.js';
import { RelayClient, type RelayClientState, type RelayPush } from './relay-client.js';

export interface RelayHomeOptions {
  /** The `relay` setting: host:port[#DEVICE_ID]. */
  readonly address: string;
  readonly identity: { deviceId: DeviceId; certPem: string; keyPem: string };
  readonly clock: Clock;
  readonly random: Random;
  readonly keepaliveMs?: number;
  readonly onPinned?: (hostPort: string, id: DeviceId) => void;
  readonly onPush?: (push: RelayPush) => void;
  readonly changed: () => void;
}

/** One line for the header: "relay.example.net:51516 registered, keepalive 12 s ago, 2 held". */
export function describeRelayState(s: RelayClientState, wallNow: number): string {
  switch (s.state) {
    case 'registered': {
      const ka = s.lastKeepaliveAt === null ? '' : `, keepalive ${Math.max(0, Math.round((wallNow - s.lastKeepaliveAt) / 1000))} s ago`;
      return `${s.address} registered [${shortId(s.relayId)}]${ka}${s.held ? `, ${s.held} held` : ''}`;
    }
    case 'connecting':
      return `${s.address} connecting${s.failures ? ` (${s.failures} failed${s.reason ? `: ${s.reason}` : ''})` : ''}`;
    case 'unavailable':
      return `${s.address} unavailable: ${s.reason}`;
    case 'stopped':
      return `${s.address} stopped`;
  }
}

export class RelayHome {
  readonly address: RelayAddress;
  readonly client: RelayClient;
  private readonly pins = new Map<string, DeviceId>();

  constructor(private readonly o: RelayHomeOptions) {
    this.address = parseRelayAddress(o.address);
    this.client = new RelayClient({
      address: this.address,
      identity: o.identity,
      clock: o.clock,
      random: o.random,
      keepaliveMs: o.keepaliveMs,
      pins: {
        get: (k) => this.pins.get(k),
        set: (k, id) => {
          this.pins.set(k, id);
          o.onPinned?.(k, id);
        },
      },
      onState: () => o.changed(),
      // Until the mailbox receive path lands, pushes are left un-ACKed: the relay keeps them (nothing lost).
      onPush: (p) => o.onPush?.(p),
    });
  }

  /** Its slot in the service registry: no session message types yet. */
  peerService(): PeerService {
    return { name: 'relay-client', messageTypes: [] };
  }

  start(): void {
    this.client.start();
  }

  stop(): void {
    this.client.stop();
  }

  describe(): string {
    return describeRelayState(this.client.state, this.o.clock.wallNow());
  }
}
