/** A finished pairing pins the peer: keeping a name and policy it had, at the address that reached it. */
import { shortId, type DeviceId } from '../../protocol/device-id.js';
import type { PinnedPeer } from '../../store/store.js';

export interface PinWriter {
  getPin(id: DeviceId): PinnedPeer | undefined;
  putPin(pin: PinnedPeer): void;
}

/** Pin `peerId`; returns the name to show (the announced one, or its short ID). */
export function pinPairedPeer(
  pins: PinWriter,
  peer: { id: DeviceId; name: string; dialledAddress?: string; hint?: { host: string; port: number } },
  now: number,
): string {
  const name = peer.name.trim() || shortId(peer.id);
  const existing = pins.getPin(peer.id);
  const addr = peer.dialledAddress ?? (peer.hint ? `${peer.hint.host}:${peer.hint.port}` : existing?.address);
  pins.putPin({
    deviceId: peer.id,
    name: existing?.name ?? name,
    pinnedAt: now,
    policy: existing?.policy ?? 'ask',
    ...(addr ? { address: addr } : {}),
  });
  return name;
}
