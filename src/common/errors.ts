/**
 * Engine errors, shared by core and store (neither imports the other's
 * internals for them; src/core/errors.ts re-exports this). `code` is stable (tests and exit codes depend on it); `kind`
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
  /** The peer sent a message that does not belong on a session (wrong family) or answers nothing we sent. */
  | 'ERR_SESSION_PROTOCOL'
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
  /** A dashboard and an engine of different peerdeck versions refuse each other (control socket). */
  | 'ERR_VERSION_MISMATCH'
  /** The engine a dashboard was attached to went away. */
  | 'ERR_ENGINE_GONE'
  /** `peerdeck config`: no such setting (the message suggests a near key). */
  | 'ERR_SETTING_UNKNOWN'
  /** A setting's value (typed, from the environment or a flag) does not parse or is out of range. */
  | 'ERR_SETTING_INVALID'
  /** No engine runs for this identity (`stop`, `status`). */
  | 'ERR_NOT_RUNNING'
  // ---- transfers
  /** A path (offered by a peer, or found while scanning a folder to send) breaks the path rules; `cause` is the BadPathError. */
  | 'ERR_BAD_PATH'
  /** A source cannot be sent: missing, not a regular file or folder, unreadable, or nothing left to send. */
  | 'ERR_BAD_SOURCE'
  /** An offer is over a cap: entries, folder depth, total bytes or manifest size. */
  | 'ERR_OFFER_TOO_LARGE'
  /** Nobody answered an offer in time. */
  | 'ERR_OFFER_TIMEOUT'
  /** A source file changed while it was read or between attempts. */
  | 'ERR_SOURCE_CHANGED'
  /** Not enough free space in the downloads folder (checked before accepting, or ENOSPC while writing). */
  | 'ERR_NO_SPACE'
  | 'ERR_CANCELLED'
  /** The downloads tree holds something we refuse to write through (a symlink, a non-directory where a folder must be). */
  | 'ERR_UNSAFE_PATH'
  /** A local disk operation failed (other than ENOSPC). */
  | 'ERR_IO'
  | 'ERR_TRANSFER_UNKNOWN'
  /** The peer broke the transfer protocol (bad token, chunk out of order, wrong length). */
  | 'ERR_TRANSFER_PROTOCOL'
  // ---- relay
  /** A relay (or relay client) broke the relay protocol: bad frame, a message that does not belong in that direction. */
  | 'ERR_RELAY_PROTOCOL'
  /** The relay refused a registration or a deposit with a typed code (the message names it). */
  | 'ERR_RELAY_REFUSED'
  /** No relay is configured, or the relay cannot be reached now. */
  | 'ERR_RELAY_UNAVAILABLE'
  /** We know no public key (certificate) for the recipient yet, so nothing can be sealed to it. */
  | 'ERR_RELAY_NO_KEY'
  // ---- application connections (library API)
  /** A message broke the connection's agreed data type or fixed size (strict: the connection closes on both sides). */
  | 'ERR_APP_VIOLATION'
  /** An AbortSignal cancelled the call. */
  | 'ERR_ABORTED'
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
