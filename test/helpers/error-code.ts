import { isProtocolError } from '../../src/protocol/errors.js';

/** The `code` of what `fn` throws (undefined if it does not throw). */
export function thrownCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code ?? `no code: ${String(err)}`;
  }
  return undefined;
}

/** The `code` a promise rejects with (undefined if it resolves). */
export function rejectedCode(p: Promise<unknown>): Promise<string | undefined> {
  return p.then(
    () => undefined,
    (e: unknown) => (e as { code?: string }).code,
  );
}

/** Like `thrownCode`, but anything other than a ProtocolError shows up as a mismatch. */
export function thrownProtocolCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isProtocolError(err) ? err.code : `not a ProtocolError: ${String(err)}`;
  }
  return undefined;
}
