/**
 * Errors raised while turning bytes into messages. Every error carries a stable
 * `code` (tests and callers switch on it, never on message text).
 */
export type ProtocolErrorCode =
  | 'ERR_FRAME_TOO_LARGE'
  | 'ERR_UNKNOWN_FRAME_TYPE'
  | 'ERR_MALFORMED_MESSAGE'
  | 'ERR_VERSION_MISMATCH'
  | 'ERR_BAD_DEVICE_ID'
  | 'ERR_BAD_PATH'
  | 'ERR_BAD_PACKET'
  | 'ERR_PAIRING_COMMIT_MISMATCH';

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isProtocolError(err: unknown, code?: ProtocolErrorCode): err is ProtocolError {
  return err instanceof ProtocolError && (code === undefined || err.code === code);
}
