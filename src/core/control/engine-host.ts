import { EngineError, isEngineError } from '../errors.js';
import { tryConnectControl } from './control-client.js';
import type { ControlClient } from './control-client.js';
import { createControlServer } from './control-server.js';
import type { ControlHandler, ControlServer } from './control-server.js';
import { EngineLockedError, acquireEngineLock, readLockInfo } from './engine-lock.js';
import type { AcquireLockOptions, EngineLock } from './engine-lock.js';

/**
 * Decide who runs the engine for one identity (config dir).
 *
 * - owner: we took the lock. Run the engine and serve the control socket;
 *   start the server early (its handler may await engine readiness) so
 *   commands started meanwhile find it. `close()` stops the server, then
 *   releases the lock, in that order so a successor's socket is never touched.
 * - client: another process holds the lock and answers on the control socket.
 *   Hand the work to it.
 *
 * While the holder is starting up its socket may not exist yet: we retry the
 * lock and the socket for up to `waitMs` (real time: we are waiting on another
 * process) before giving up with ERR_ENGINE_LOCKED. A call may still fail with
 * ERR_CONTROL (retryable) if the engine exits meanwhile; claim again then.
 */

export interface IdentityPaths {
  lockPath: string;
  socketPath: string;
}

export interface OwnerClaim {
  readonly kind: 'owner';
  readonly lock: EngineLock;
  /** Serve the control socket with `handler` (once). */
  startControlServer(handler: ControlHandler): Promise<ControlServer>;
  /** Close the control server (if started), then release the lock. */
  close(): Promise<void>;
}

export interface ClientClaim {
  readonly kind: 'client';
  readonly client: ControlClient;
  /** The engine's pid, as its lock file says. */
  readonly holderPid?: number;
}

export type IdentityClaim = OwnerClaim | ClientClaim;

export interface ClaimOptions {
  /** How long to wait for a starting engine's socket (default 5000 ms). */
  waitMs?: number;
  lock?: AcquireLockOptions;
}

export async function claimIdentity(paths: IdentityPaths, options: ClaimOptions = {}): Promise<IdentityClaim> {
  const deadline = Date.now() + (options.waitMs ?? 5000);
  let delay = 20;
  for (;;) {
    let locked: EngineLockedError;
    try {
      return owner(paths, await acquireEngineLock(paths.lockPath, options.lock));
    } catch (err) {
      if (!(err instanceof EngineLockedError)) throw err;
      locked = err;
    }
    const client = await tryConnectControl(paths.socketPath).catch((err: unknown) => {
      // A socket we cannot use (permissions, timeout): the engine is there but unreachable.
      if (isEngineError(err, 'ERR_CONTROL')) throw new EngineLockedError(`${locked.message} ${err.message}`, locked.holder);
      throw err;
    });
    if (client) {
      const holderPid = locked.holder?.pid ?? (await readLockInfo(paths.lockPath))?.pid;
      return holderPid === undefined ? { kind: 'client', client } : { kind: 'client', client, holderPid };
    }
    if (Date.now() >= deadline) {
      throw new EngineLockedError(`${locked.message} It does not answer on its control socket ${paths.socketPath}.`, locked.holder);
    }
    await sleep(Math.min(delay, Math.max(1, deadline - Date.now())));
    delay = Math.min(delay * 2, 200);
  }
}

function owner(paths: IdentityPaths, lock: EngineLock): OwnerClaim {
  let server: Promise<ControlServer> | undefined;
  return {
    kind: 'owner',
    lock,
    startControlServer(handler) {
      if (server) return Promise.reject(new EngineError('ERR_INTERNAL', 'Control server already started'));
      if (lock.released) return Promise.reject(new EngineError('ERR_INTERNAL', 'Engine lock already released'));
      server = createControlServer({ socketPath: paths.socketPath, handler });
      return server;
    },
    async close() {
      try {
        if (server) await (await server.catch(() => undefined))?.close();
      } finally {
        lock.release();
      }
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
