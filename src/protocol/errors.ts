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
  | 'ERR_PAIRING_COMMIT_MISMATCH'
  /** Input ended in the middle of a frame (EOF after a partial header or payload). */
  | 'ERR_TRUNCATED_FRAME'
  /** Chat text is empty or whitespace only. */
  | 'ERR_CHAT_EMPTY'
  /** Chat text is longer than MAX_CHAT_BYTES of UTF-8. */
  | 'ERR_CHAT_TOO_LONG'
  /** A pairing nonce, exporter or device ID given to the pairing-code functions has the wrong size. */
  | 'ERR_BAD_PAIRING_INPUT'
  /** A mailbox envelope does not parse (truncated, stray bytes, bad bucket, non-zero padding). */
  | 'ERR_BAD_ENVELOPE'
  /** A body or envelope over the envelope caps. */
  | 'ERR_ENVELOPE_TOO_LARGE'
  /** An envelope addressed to another device. */
  | 'ERR_ENVELOPE_NOT_FOR_US'
  /** An envelope from a device that is not pinned with a known certificate. */
  | 'ERR_ENVELOPE_UNKNOWN_SENDER'
  /** An envelope whose sender signature does not verify. */
  | 'ERR_ENVELOPE_SIGNATURE'
  /** An envelope whose key unwrap or AES-GCM tag fails. */
  | 'ERR_ENVELOPE_DECRYPT';

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
