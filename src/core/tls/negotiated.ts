/**
 * Post-handshake check, shared by listener and dialer: what did the handshake
 * actually settle, and does it meet the policy? The device ID comes only from
 * the certificate the peer presented.
 */
import type { TLSSocket } from 'node:tls';
import { deviceIdFromCertDer, type DeviceId } from '../../protocol/device-id.js';
import { TLS_VERSION, isAllowedCipher, isPeerdeckAlpn, type PeerdeckAlpn } from './tls-options.js';

export type NegotiationFailure =
  | 'no-certificate'
  | 'wrong-version'
  | 'wrong-cipher'
  | 'wrong-alpn'
  | 'session-reused';

export type Negotiated =
  | { readonly ok: true; readonly deviceId: DeviceId; readonly alpn: PeerdeckAlpn }
  | { readonly ok: false; readonly failure: NegotiationFailure; readonly detail: string };

/** DER of the peer's leaf certificate, or undefined when it presented none. */
export function peerCertificateDer(socket: TLSSocket): Buffer | undefined {
  // getPeerCertificate() returns {} when there is no certificate.
  const raw: Buffer | undefined = socket.getPeerCertificate(false).raw;
  return raw && raw.length > 0 ? raw : undefined;
}

export function inspectNegotiated(socket: TLSSocket): Negotiated {
  const version = socket.getProtocol();
  if (version !== TLS_VERSION) {
    return { ok: false, failure: 'wrong-version', detail: `negotiated ${String(version)}` };
  }
  const cipher = socket.getCipher()?.standardName;
  if (!isAllowedCipher(cipher)) {
    return { ok: false, failure: 'wrong-cipher', detail: `negotiated ${String(cipher)}` };
  }
  const alpn = socket.alpnProtocol;
  if (!isPeerdeckAlpn(alpn)) {
    return { ok: false, failure: 'wrong-alpn', detail: `negotiated ALPN ${String(alpn)}` };
  }
  if (socket.isSessionReused()) {
    return { ok: false, failure: 'session-reused', detail: 'session resumption is disabled by policy' };
  }
  const der = peerCertificateDer(socket);
  if (!der) return { ok: false, failure: 'no-certificate', detail: 'peer presented no certificate' };
  return { ok: true, deviceId: deviceIdFromCertDer(der), alpn };
}
