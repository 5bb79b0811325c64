/**
 * Discovery's own errors. `code` is stable; `errno` carries the socket error
 * code (EADDRINUSE, EACCES…) when there is one.
 */
import type { ErrorKind } from '../errors.js';

export type DiscoveryErrorCode =
  /** Could not bind the discovery port (see `errno`). */
  | 'ERR_DISCOVERY_BIND'
  /** Bad constructor options (port out of range, broadcast address not IPv4). */
  | 'ERR_DISCOVERY_OPTIONS'
  /** start() on an instance that is running or was stopped. */
  | 'ERR_DISCOVERY_STATE';

export class DiscoveryError extends Error {
  override readonly name = 'DiscoveryError';
  constructor(
    readonly code: DiscoveryErrorCode,
    message: string,
    readonly kind: ErrorKind = 'local',
    readonly errno?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The `code` of a Node system error (`EADDRINUSE`…), if it has one. */
export function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
