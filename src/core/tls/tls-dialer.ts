/**
 * Mutual-TLS dialer. Connects, runs the handshake, then, before the caller can
 * write a byte, checks what was negotiated (TLS 1.3, AES-GCM, the ALPN asked
 * for, no resumption) and the device ID of the certificate the server
 * presented against `expectedDeviceId`.
 *
 * TLS 1.3 caveat (reliability.md finding 4, openssl/openssl#8500): the client's
 * handshake completes before the server has judged the client's certificate.
 * A resolved dial therefore means "the server is who we expect", NOT "the
 * server accepted us": a server that rejects us just closes the socket, and the
 * first sign is a 'close' on the PeerSocket. Only the session layer's
 * HELLO → ACCEPT confirms the connection; nothing queued may be marked sent
 * on a resolved dial or on write().
 */
import { connect, type TLSSocket } from 'node:tls';
import type { Clock } from '../clock.js';
import { EngineError } from '../errors.js';
import type { DeviceId } from '../../protocol/device-id.js';
import { inspectNegotiated } from './negotiated.js';
import { PeerSocket } from './peer-socket.js';
import { DIAL_TIMEOUT_MS, clientTlsOptions, type PeerdeckAlpn } from './tls-options.js';

export interface DialTlsOptions {
  readonly host: string;
  readonly port: number;
  readonly certPem: string;
  readonly keyPem: string;
  readonly alpn: PeerdeckAlpn;
  /** When set, any other certificate fails the dial with ERR_CERT_CHANGED. */
  readonly expectedDeviceId?: DeviceId;
  readonly clock: Clock;
  /** TCP connect + TLS handshake + checks. */
  readonly timeoutMs?: number;
  /** Passed to the PeerSocket. */
  readonly idleTimeoutMs?: number;
  readonly writeHighWaterMark?: number;
}

/** Error codes of a TCP connect that never reached the peer. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'ETIMEDOUT',
  'EADDRNOTAVAIL',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

function classify(err: Error & { code?: string }, tcpConnected: boolean, where: string): EngineError {
  const code = err.code ?? '';
  if (!tcpConnected || UNREACHABLE_CODES.has(code)) {
    return new EngineError('ERR_PEER_UNREACHABLE', `cannot reach ${where}: ${code || err.message}`, 'retryable', {
      cause: err,
    });
  }
  if (code.startsWith('ERR_SSL_')) {
    return new EngineError('ERR_HANDSHAKE_FAILED', `TLS handshake with ${where} failed: ${code}`, 'peer-fault', {
      cause: err,
    });
  }
  return new EngineError('ERR_CONNECTION_CLOSED', `${where} closed during the handshake: ${code || err.message}`, 'retryable', {
    cause: err,
  });
}

/** tls.connect throws synchronously for an unusable certificate/key or a bad address. */
function localSetupError(err: unknown): EngineError {
  const code = (err as { code?: unknown }).code;
  const crypto = typeof code === 'string' && /^ERR_(OSSL|SSL)_/.test(code);
  return crypto
    ? new EngineError('ERR_IDENTITY_CORRUPT', 'our certificate or key cannot be used for TLS', 'local', { cause: err })
    : new EngineError('ERR_USAGE', `cannot dial: ${(err as Error).message}`, 'usage', { cause: err });
}

/** Dial a peer. Resolves once the server's identity and the policy are checked. */
export function dialTls(opts: DialTlsOptions): Promise<PeerSocket> {
  const where = `${opts.host}:${opts.port}`;
  const timeoutMs = opts.timeoutMs ?? DIAL_TIMEOUT_MS;
  return new Promise<PeerSocket>((resolve, reject) => {
    let settled = false;
    let tcpConnected = false;
    let socket: TLSSocket;
    try {
      socket = connect({ ...clientTlsOptions(opts.certPem, opts.keyPem, opts.alpn), host: opts.host, port: opts.port });
    } catch (err) {
      reject(localSetupError(err));
      return;
    }

    // Fires on a later turn at the earliest, after `fail` exists.
    const timer = opts.clock.setTimeout(() => {
      fail(
        tcpConnected
          ? new EngineError('ERR_HANDSHAKE_TIMEOUT', `no TLS handshake with ${where} within ${timeoutMs} ms`, 'retryable')
          : new EngineError('ERR_PEER_UNREACHABLE', `no TCP connection to ${where} within ${timeoutMs} ms`, 'retryable'),
      );
    }, timeoutMs);

    const fail = (err: EngineError) => {
      if (settled) return;
      settled = true;
      opts.clock.clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const onError = (err: Error) => fail(classify(err, tcpConnected, where));
    const onClose = () => fail(new EngineError('ERR_CONNECTION_CLOSED', `${where} closed during the handshake`, 'retryable'));
    socket.once('connect', () => {
      tcpConnected = true;
    });
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.once('secureConnect', () => {
      if (settled) return;
      const n = inspectNegotiated(socket);
      if (!n.ok) {
        fail(new EngineError('ERR_HANDSHAKE_FAILED', `${where}: ${n.detail}`, 'peer-fault'));
        return;
      }
      if (n.alpn !== opts.alpn) {
        fail(new EngineError('ERR_HANDSHAKE_FAILED', `${where} chose ALPN ${n.alpn}, asked for ${opts.alpn}`, 'peer-fault'));
        return;
      }
      if (opts.expectedDeviceId !== undefined && n.deviceId !== opts.expectedDeviceId) {
        fail(
          new EngineError(
            'ERR_CERT_CHANGED',
            `${where} presented device ID ${n.deviceId}, expected ${opts.expectedDeviceId}`,
            'peer-fault',
            // The device ID actually presented, for the caller's report.
            { cause: { deviceId: n.deviceId } },
          ),
        );
        return;
      }
      settled = true;
      opts.clock.clearTimeout(timer);
      socket.off('error', onError);
      socket.off('close', onClose);
      resolve(
        new PeerSocket({
          socket,
          deviceId: n.deviceId,
          alpn: n.alpn,
          clock: opts.clock,
          idleTimeoutMs: opts.idleTimeoutMs,
          writeHighWaterMark: opts.writeHighWaterMark,
        }),
      );
    });
  });
}
