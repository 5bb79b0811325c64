/**
 * The library's typed errors: each is an EngineError with a stable `code`
 * (catch by class or test `err.code`).
 */
import { EngineError } from '../errors.js';

function named<T extends Error>(err: T, name: string): T {
  Object.defineProperty(err, 'name', { value: name, enumerable: false, configurable: true });
  return err;
}

/** The other side denied the connection (`reason` is its text, shown through toTerminalSafe if printed). Code ERR_DENIED. */
export class DeniedError extends EngineError {
  constructor(readonly reason: string) {
    super('ERR_DENIED', `the peer denied the connection: ${reason}`, 'peer-fault');
    named(this, 'DeniedError');
  }
}

/** No answer (or no session with the peer) within the timeout. Code ERR_TIMEOUT. */
export class TimeoutError extends EngineError {
  constructor(message: string) {
    super('ERR_TIMEOUT', message, 'retryable');
    named(this, 'TimeoutError');
  }
}

/** An AbortSignal cancelled the call. Code ERR_ABORTED. */
export class AbortError extends EngineError {
  constructor(message = 'aborted') {
    super('ERR_ABORTED', message, 'local');
    named(this, 'AbortError');
  }
}

/** A message broke the agreed data type or fixed size. Code ERR_APP_VIOLATION. */
export class ViolationError extends EngineError {
  constructor(message: string) {
    super('ERR_APP_VIOLATION', message, 'peer-fault');
    named(this, 'ViolationError');
  }
}

/** Rejects at once if `signal` is aborted, else when it aborts; `off` removes the listener. */
export function abortPromise(signal: AbortSignal | undefined, what: string): { promise: Promise<never>; off: () => void } {
  if (!signal) return { promise: new Promise<never>(() => {}), off: () => {} };
  let onAbort = () => {};
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(new AbortError(`${what} aborted`));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  promise.catch(() => {});
  return { promise, off: () => signal.removeEventListener('abort', onAbort) };
}
