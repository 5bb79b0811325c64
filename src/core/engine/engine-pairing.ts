/**
 * Pairing wired into the engine: the manager dials through the connection
 * layer and takes its ALPN's inbound connections; a code becomes a
 * `pair-request` event; a success pins the peer and dials it, a failure is
 * reported. Both end in a notice.
 */
import { shortId, type DeviceId } from '../../protocol/device-id.js';
import type { Clock, Random } from '../clock.js';
import type { ConnectionLayer } from '../connections/connection-layer.js';
import type { NoticeLevel } from '../engine-api.js';
import { pairingAlpnHandler } from '../pairing/pairing-alpn.js';
import { PairingManager } from '../pairing/pairing-manager.js';
import { pinPairedPeer, type PinWriter } from '../pairing/pairing-outcome.js';
import { ALPN_PAIRING } from '../tls/tls-options.js';
import type { TypedEmitter } from '../typed-emitter.js';
import type { EngineEventMap } from './events.js';

export interface PairingContext {
  selfId: DeviceId;
  name(): string;
  clock: Clock;
  random: Random;
  timeoutMs?: number;
  connections: ConnectionLayer;
  pins: PinWriter;
  events: TypedEmitter<EngineEventMap>;
  notice(level: NoticeLevel, text: string): void;
  changed(urgent?: boolean): void;
}

export function createPairing(c: PairingContext): PairingManager {
  const pairing = new PairingManager({
    selfId: c.selfId,
    selfName: c.name,
    clock: c.clock,
    random: c.random,
    ...(c.timeoutMs ? { timeoutMs: c.timeoutMs } : {}),
    dial: (host, port, expectedDeviceId) => c.connections.dial(host, port, ALPN_PAIRING, expectedDeviceId),
    onChange: () => c.changed(true),
    onCode: (v) => {
      c.events.emit('pair-request', { pairingId: v.id, deviceId: v.peerId, name: v.peerName, address: v.address, code: v.code ?? '', direction: v.direction });
    },
    onDone: (v, r) => {
      const { id: pairingId, peerId, peerName } = v;
      if (r.ok) {
        const hint = c.connections.hintOf(peerId);
        const dialledAddress = v.direction === 'outgoing' ? v.address : undefined;
        const peer = { id: peerId, name: peerName, ...(dialledAddress !== undefined ? { dialledAddress } : {}), ...(hint ? { hint } : {}) };
        const name = pinPairedPeer(c.pins, peer, c.clock.wallNow());
        c.events.emit('paired', { pairingId, deviceId: peerId, name });
        c.notice('info', `paired with ${name} (${shortId(peerId)})`);
        c.connections.want(peerId, 0);
      } else {
        c.events.emit('pair-failed', { pairingId, deviceId: peerId, name: peerName, code: r.code ?? 'ABORTED', message: r.message ?? 'pairing failed' });
        c.notice('warn', `pairing with ${peerName || shortId(peerId)} failed: ${r.message ?? r.code}`);
      }
      c.changed(true);
    },
  });
  c.connections.handle(ALPN_PAIRING, pairingAlpnHandler(pairing));
  return pairing;
}
