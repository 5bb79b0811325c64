/**
 * TLS policy: the one place that says which TLS we speak. Listener and dialer
 * both build their node:tls options here, and both re-check the negotiated
 * result against the same constants after the handshake (defence in depth).
 *
 * Verified against Node 20 / OpenSSL 3.0 (see test/core/tls/openssl-matrix.test.ts):
 * - Node has no separate `ciphersuites` option: TLS 1.3 suites (names starting
 *   with `TLS_`) go in the `ciphers` string, and Node hands them to
 *   SSL_CTX_set_ciphersuites. With the string below, a client offering only
 *   TLS_CHACHA20_POLY1305_SHA256 or TLS_AES_128_CCM_SHA256 gets alert 40
 *   (handshake failure); a TLS 1.2 client gets alert 70 (protocol version).
 * - `requestCert: true` + `rejectUnauthorized: false` completes the handshake
 *   for a client with NO certificate, so the listener must check for one.
 * - Resumption: with tickets on, a resumed session keeps the original peer
 *   certificate. We turn stateless tickets off (SSL_OP_NO_TICKET); OpenSSL then
 *   still sends two small stateful tickets, but Node keeps no server-side
 *   session cache unless someone listens for 'newSession'/'resumeSession' on
 *   the server, so nothing can be resumed. Never add those listeners. Both ends
 *   also refuse a session that reports itself as reused.
 */
import { constants as cryptoConstants } from 'node:crypto';
import type { ConnectionOptions, TlsOptions } from 'node:tls';

export const TLS_VERSION = 'TLSv1.3' as const;

/** AES-GCM only; CHACHA20 and CCM are refused. Order = our preference: AES-128-GCM first, the faster of the two for bulk data (performance.md measured the baselines with it). */
export const TLS_CIPHER_SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384'] as const;

/** Pinned-peer session: HELLO / ACCEPT, chat, heartbeats, offers. */
export const ALPN_SESSION = 'peerdeck/1';
/** Pairing of a peer that is not pinned yet (only pairing messages flow). */
export const ALPN_PAIRING = 'peerdeck-pair/1';
/** Bulk chunk data, on its own connection so control traffic never queues behind it. */
export const ALPN_BULK = 'peerdeck-bulk/1';
/** A library application connection (src/core/app/): one TLS connection each, its own TCP window. */
export const ALPN_APP = 'peerdeck-app/1';

/** Client ⇄ relay (src/relay/, protocol/relay/): a relay's listener offers only this one, a peer's never. */
export const ALPN_RELAY = 'peerdeck-relay/1';

/** What a peer's listener offers. */
export const PEERDECK_ALPNS = [ALPN_SESSION, ALPN_PAIRING, ALPN_BULK, ALPN_APP] as const;
/** What a relay's listener offers. */
export const RELAY_ALPNS = [ALPN_RELAY] as const;
/** Every ALPN this build speaks (a listener offers a subset: PEERDECK_ALPNS or RELAY_ALPNS). */
export const KNOWN_ALPNS = [...PEERDECK_ALPNS, ALPN_RELAY] as const;
export type PeerdeckAlpn = (typeof KNOWN_ALPNS)[number];

export function isPeerdeckAlpn(value: unknown): value is PeerdeckAlpn {
  return typeof value === 'string' && (KNOWN_ALPNS as readonly string[]).includes(value);
}

export function isAllowedCipher(standardName: string | undefined): boolean {
  return standardName !== undefined && (TLS_CIPHER_SUITES as readonly string[]).includes(standardName);
}

/**
 * Listener: TCP accept to a settled, authorized connection, the whole
 * handshake included (a client trickling its ClientHello byte by byte is cut
 * off here). A LAN handshake takes a few ms; Node's default of 120 s would let
 * a silent client hold a slot for two minutes (reliability.md finding 5).
 */
export const HANDSHAKE_TIMEOUT_MS = 5_000;

/** Dial budget: TCP connect + TLS handshake + pin check. Same reasoning as above. */
export const DIAL_TIMEOUT_MS = 5_000;

/**
 * No byte received for this long closes the connection. The session layer
 * sends a heartbeat when write-idle, so a healthy link is never read-idle this
 * long; 15 s is three missed 5 s heartbeats, and it is what notices a silent
 * network (no FIN, no RST) when nothing else would.
 */
export const IDLE_TIMEOUT_MS = 15_000;

/**
 * TCP accept → first byte of the ClientHello. A real client sends its
 * ClientHello right after connecting (one round trip on a LAN); a connection
 * that has sent nothing for this long is a slot squatter (OpenSSH drops an
 * unauthenticated client after `LoginGraceTime`; this is the same idea for
 * the very first bytes). The pre-auth budget is in preauth-budget.ts.
 */
export const FIRST_BYTES_TIMEOUT_MS = 1_000;

/**
 * Bytes queued in a PeerSocket before `write()` says "wait for drain". Node's
 * 16 KiB default halves bulk throughput; 1 MiB reached 92 % of the openssl
 * CLI in performance.md. Memory is only used when a writer really queues.
 */
export const WRITE_HIGH_WATER_MARK_BYTES = 1024 * 1024;

/** After a graceful `close()`, how long to wait for the peer's FIN before destroying. */
export const CLOSE_GRACE_MS = 2_000;

const COMMON = {
  minVersion: TLS_VERSION,
  maxVersion: TLS_VERSION,
  ciphers: TLS_CIPHER_SUITES.join(':'),
  // No stateless session tickets; see the header comment.
  secureOptions: cryptoConstants.SSL_OP_NO_TICKET,
} as const;

/** Options for tls.createServer. */
export function serverTlsOptions(certPem: string, keyPem: string, alpns: readonly PeerdeckAlpn[] = PEERDECK_ALPNS): TlsOptions {
  return {
    ...COMMON,
    cert: certPem,
    key: keyPem,
    // Ask for a certificate, but do not CA-validate it: the device ID (SHA-256
    // of the DER) is checked against the pin store instead.
    requestCert: true,
    rejectUnauthorized: false,
    ALPNProtocols: [...alpns],
  };
}

/** Options for tls.connect (host and port added by the dialer). */
export function clientTlsOptions(certPem: string, keyPem: string, alpn: PeerdeckAlpn): ConnectionOptions {
  return {
    ...COMMON,
    cert: certPem,
    key: keyPem,
    rejectUnauthorized: false,
    // Hostnames mean nothing here: the peer is identified by its device ID.
    checkServerIdentity: () => undefined,
    ALPNProtocols: [alpn],
  };
}
