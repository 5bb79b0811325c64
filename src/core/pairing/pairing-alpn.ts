/** Pairing connections (their own ALPN) go to the pairing manager, which decides whom it admits. */
import type { AlpnHandler } from '../connections/connection-layer.js';
import type { PairingManager } from './pairing-manager.js';

export function pairingAlpnHandler(pairing: PairingManager): AlpnHandler {
  return {
    admit: (req) => pairing.admit(req.deviceId, req.remoteAddress),
    incoming: (s) => pairing.incoming(s),
  };
}
