/** Map a thrown error to an exit code and a one-line message. */
import { EngineError } from '../core/errors.js';
import { ProtocolError } from '../protocol/errors.js';
import { ExitCode } from './exit-codes.js';
import { UsageError } from './usage-error.js';

const BY_CODE: Record<string, number> = {
  ERR_USAGE: ExitCode.USAGE,
  ERR_PEER_UNKNOWN: ExitCode.USAGE,
  ERR_PEER_AMBIGUOUS: ExitCode.USAGE,
  ERR_BAD_DEVICE_ID: ExitCode.USAGE,
  ERR_MESSAGE_TOO_LARGE: ExitCode.USAGE,
  ERR_NOT_PINNED: ExitCode.USAGE,
  ERR_SETTING_UNKNOWN: ExitCode.USAGE,
  ERR_SETTING_INVALID: ExitCode.USAGE,
  ERR_ENGINE_LOCKED: ExitCode.RUNTIME,
  ERR_DENIED: ExitCode.DENIED,
  ERR_PAIRING_REJECTED: ExitCode.DENIED,
  ERR_PEER_UNREACHABLE: ExitCode.UNREACHABLE,
  ERR_PEER_OFFLINE: ExitCode.UNREACHABLE,
  ERR_HANDSHAKE_TIMEOUT: ExitCode.UNREACHABLE,
  ERR_VERIFICATION_FAILED: ExitCode.VERIFICATION,
  ERR_PAIRING_CODE_MISMATCH: ExitCode.VERIFICATION,
  ERR_CERT_CHANGED: ExitCode.VERIFICATION,
};

export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError) return ExitCode.USAGE;
  if (err instanceof EngineError && BY_CODE[err.code] === undefined && err.kind === 'usage') return ExitCode.USAGE;
  if (err instanceof EngineError || err instanceof ProtocolError) return BY_CODE[err.code] ?? ExitCode.RUNTIME;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code in BY_CODE) return BY_CODE[code]!;
  return ExitCode.RUNTIME;
}

export function errorCodeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'ERR_INTERNAL';
}

export function errorMessageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
