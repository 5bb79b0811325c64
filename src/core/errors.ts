/**
 * Engine errors. `code` is stable (tests and exit codes depend on it); `kind`
 * says what happens next: retry later, drop the peer, or report a local fault.
 */
export type ErrorKind = 'retryable' | 'peer-fault' | 'local' | 'usage';

export type EngineErrorCode =
  | 'ERR_USAGE'
  | 'ERR_IDENTITY_CORRUPT'
  | 'ERR_IDENTITY_INSECURE'
  | 'ERR_CONFIG_DIR'
  | 'ERR_CONFIG_DIR_INSECURE'
  | 'ERR_IDENTITY_MISSING'
  | 'ERR_ENGINE_LOCKED'
  | 'ERR_STORE'
  | 'ERR_JOURNAL'
  | 'ERR_PEER_UNKNOWN'
  | 'ERR_PEER_AMBIGUOUS'
  | 'ERR_PEER_UNREACHABLE'
  | 'ERR_PEER_OFFLINE'
  | 'ERR_DENIED'
  | 'ERR_CERT_CHANGED'
  | 'ERR_NOT_PINNED'
  | 'ERR_HANDSHAKE_TIMEOUT'
  /** TLS refused or broke mid-handshake, or settled on something our policy refuses. */
  | 'ERR_HANDSHAKE_FAILED'
  /** Could not bind the listening socket (cause carries EADDRINUSE, EACCES, ...). */
  | 'ERR_LISTEN_FAILED'
  | 'ERR_IDLE_TIMEOUT'
  | 'ERR_CONNECTION_CLOSED'
  | 'ERR_PAIRING_REJECTED'
  | 'ERR_PAIRING_CODE_MISMATCH'
  | 'ERR_PAIRING_RATE_LIMITED'
  | 'ERR_PAIRING_BUSY'
  | 'ERR_PAIRING_ABORTED'
  | 'ERR_MESSAGE_TOO_LARGE'
  | 'ERR_VERIFICATION_FAILED'
  | 'ERR_TIMEOUT'
  | 'ERR_CONTROL'
  | 'ERR_INTERNAL';

export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    readonly kind: ErrorKind = 'local',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isEngineError(err: unknown, code?: EngineErrorCode): err is EngineError {
  return err instanceof EngineError && (code === undefined || err.code === code);
}
