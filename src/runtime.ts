/**
 * The composition root: config dir + identity + store + engine, and who runs
 * the engine for this identity. One process owns an identity at a time (lock +
 * control socket); a one-shot command either talks to that process or, when
 * none runs, runs a private engine just for its job.
 */
import { mkdir } from 'node:fs/promises';
import { claimIdentity, type OwnerClaim } from './core/control/engine-host.js';
import { pingEngine } from './core/control/engine-ping.js';
import { prepareConfigDir, type ConfigPaths } from './core/config-dir.js';
import { loadOrCreateIdentity, type Identity } from './core/identity.js';
import { Engine } from './core/engine/engine.js';
import { remoteOperations, serveOperations } from './core/engine/control-bridge.js';
import { localOperations, onAllEvents, type EventSink, type Operations } from './core/engine/operations.js';
import { EngineError } from './core/errors.js';
import { resolvePeer } from './core/engine/peer-resolve.js';
import { openConfStore } from './store/conf-store.js';
import type { Store } from './store/store.js';
import type { GlobalOptions } from './cli/global-flags.js';
import { removeReRaisingSignalHooks } from './core/signal-hooks.js';
import { onStop } from './cli/signals.js';

// conf (imported above) has just hooked the signals with handlers that re-raise them.
removeReRaisingSignalHooks();

export interface OpenedIdentity {
  paths: ConfigPaths;
  identity: Identity;
  /** --name, else the stored name, else the host name. */
  name: string;
}

/** Config dir and identity only (for `id`): no lock, no engine. */
export async function openIdentity(opts: Pick<GlobalOptions, 'configDir' | 'name'>): Promise<OpenedIdentity & { store?: Store }> {
  const paths = await prepareConfigDir(opts.configDir);
  const identity = await loadOrCreateIdentity(paths);
  const store = await openConfStore(paths);
  try {
    return { paths, identity, name: opts.name ?? store.getSettings().name };
  } finally {
    await store.close();
  }
}

interface EngineRun {
  engine: Engine;
  downloadsDir: string;
  store: Store;
  identity: Identity;
  paths: ConfigPaths;
  close(): Promise<void>;
}

/**
 * Check a PEER argument against the pinned peers before any engine starts: an
 * unknown or ambiguous one is a usage error (exit 2) at once.
 */
export function checkPeerArgs(store: Store, peers: readonly string[]): void {
  const candidates = store.listPins().map((p) => ({ deviceId: p.deviceId, name: p.name, pinned: true }));
  for (const peer of peers) resolvePeer(peer, candidates);
}

async function startEngine(claim: OwnerClaim, paths: ConfigPaths, opts: GlobalOptions, listen: boolean, onEvent?: EventSink, peerArgs: readonly string[] = []): Promise<EngineRun> {
  const identity = await loadOrCreateIdentity(paths);
  const store = await openConfStore(paths);
  try {
    checkPeerArgs(store, peerArgs);
  } catch (err) {
    await store.close().catch(() => {});
    await claim.close().catch(() => {});
    throw err;
  }
  const settings = store.getSettings();
  const downloadsDir = opts.downloads ?? settings.downloadsDir;
  if (listen) await mkdir(downloadsDir, { recursive: true, mode: 0o755 });
  if (opts.name && opts.name !== settings.name && listen) store.updateSettings({ name: opts.name });
  const engine = new Engine({
    identity,
    store,
    name: opts.name ?? settings.name,
    listen: listen ? { host: '0.0.0.0', port: opts.port } : null,
    discovery: opts.discovery ? { port: opts.discoveryPort, ...(opts.broadcast.length ? { broadcast: opts.broadcast } : {}) } : null,
    staticPeers: opts.peers,
    downloadsDir,
    offerTimeoutMs: settings.offerTimeoutMs,
    // A private engine (no listening) works only on its own job, not on everything queued.
    outboxScope: listen ? 'all' : 'own',
  });
  const offEvents = onEvent ? onAllEvents(engine, onEvent) : undefined;
  try {
    // Serve the control socket as soon as we own the identity, so other commands find us.
    await claim.startControlServer(serveOperations(localOperations(engine)));
    await engine.start();
  } catch (err) {
    offEvents?.();
    await engine.shutdown().catch(() => {});
    await store.close().catch(() => {});
    await claim.close().catch(() => {});
    throw err;
  }
  let closed = false;
  return {
    engine,
    downloadsDir,
    store,
    identity,
    paths,
    async close() {
      if (closed) return;
      closed = true;
      offEvents?.();
      await engine.shutdown();
      await claim.close();
      await store.close();
    },
  };
}

/**
 * Run the identity's engine in this process, listening and discovering (for
 * `listen`, `receive` and the dashboard). Refuses if another process runs it.
 */
export async function runOwnedEngine(opts: GlobalOptions, onEvent?: EventSink, peerArgs: readonly string[] = []): Promise<EngineRun> {
  const paths = await prepareConfigDir(opts.configDir);
  const claim = await claimIdentity({ lockPath: paths.lockFile, socketPath: paths.controlSocket });
  if (claim.kind === 'client') {
    claim.client.close();
    throw new EngineError('ERR_ENGINE_LOCKED', `another peerdeck process${claim.holderPid ? ` (pid ${claim.holderPid})` : ''} already runs the engine for ${paths.root}`, 'local');
  }
  return startEngine(claim, paths, opts, true, onEvent, peerArgs);
}

/**
 * Run `fn` against this identity's engine: the running one over its control
 * socket when there is one, otherwise a private engine that only dials out.
 */
export async function withOperations<T>(
  opts: GlobalOptions,
  fn: (ops: Operations, remote: boolean) => Promise<T>,
  /** PEER arguments that must name a trusted peer (checked before a private engine starts). */
  peerArgs: readonly string[] = [],
): Promise<T> {
  const paths = await prepareConfigDir(opts.configDir);
  const claim = await claimIdentity({ lockPath: paths.lockFile, socketPath: paths.controlSocket });
  if (claim.kind === 'client') {
    const offSignals = stopOnSignal(async () => claim.client.close());
    try {
      await pingEngine(claim.client, claim.holderPid, paths.controlSocket);
      return await fn(remoteOperations(claim.client), true);
    } finally {
      offSignals();
      claim.client.close();
    }
  }
  const run = await startEngine(claim, paths, opts, false, undefined, peerArgs);
  const offSignals = stopOnSignal(() => run.close());
  try {
    return await fn(localOperations(run.engine), false);
  } finally {
    offSignals();
    await run.close();
  }
}

/**
 * While a one-shot command waits (send --wait, pair, outbox retry, …), the first
 * SIGINT/SIGTERM/SIGHUP (or a closed stdout) shuts its engine down cleanly
 * (journals saved, lock and socket removed) and exits 130/143/129 (141), within
 * 2 s whatever happens.
 */
function stopOnSignal(cleanup: () => Promise<void>): () => void {
  return onStop((code) => {
    setTimeout(() => process.exit(code), 1800).unref();
    void cleanup()
      .catch(() => {})
      .then(() => process.exit(code));
  });
}
