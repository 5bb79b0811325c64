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
import type { Identity } from './core/identity.js';
import type { Engine } from './core/engine/engine.js';
import { remoteOperations } from './core/engine/control-bridge.js';
import type { EventSink, Operations } from './core/engine/operations.js';
import { EngineError } from './core/errors.js';
import type { Store } from './store/store.js';
import type { EngineOptions } from './core/engine/engine-options.js';
import type { GlobalOptions } from './cli/global-flags.js';
import { peerdeckVersion } from './core/version.js';
import type { ResolvedSettings } from './core/settings/settings-resolve.js';
import { remoteSettings, type SettingsOps } from './core/settings/settings-service.js';
import type { EngineHostKind } from './core/daemon/engine-status.js';
import { onStop } from './cli/signals.js';

/**
 * The engine, its services and the conf store, loaded only when this process
 * starts an engine (src/runtime-engine-parts.ts): handing a job to the running
 * engine over its control socket needs none of it.
 */
const engineParts = () => import('./runtime-engine-parts.js');
type EngineParts = Awaited<ReturnType<typeof engineParts>>;

export interface OpenedIdentity {
  paths: ConfigPaths;
  identity: Identity;
  /** --name, else PEERDECK_NAME, else the stored name, else the host name. */
  name: string;
  /** Every setting's effective value and where it came from. */
  resolved: ResolvedSettings;
}

/** Flags > environment > config.json > defaults. */
function effectiveSettings({ resolveSettings }: EngineParts, store: Store, opts: GlobalOptions): ResolvedSettings {
  return resolveSettings({ defaults: store.getSettings(), stored: store.getStoredSettings(), flags: opts, env: process.env });
}

/** Config dir and identity only (for `id`): no lock, no engine. */
export async function openIdentity(opts: GlobalOptions): Promise<OpenedIdentity> {
  const paths = await prepareConfigDir(opts.configDir);
  const parts = await engineParts();
  const identity = await parts.loadOrCreateIdentity(paths);
  const store = await parts.openConfStore(paths);
  try {
    const resolved = effectiveSettings(parts, store, opts);
    return { paths, identity, name: resolved.settings.name, resolved };
  } finally {
    await store.close();
  }
}

/** How the command hosting an engine wants it run. */
export interface HostOptions {
  kind: EngineHostKind;
  /** `peerdeck stop` asked this engine to stop (absent: it refuses; stop this host where it runs). */
  onStopRequest?: () => void;
}

interface EngineRun {
  engine: Engine;
  downloadsDir: string;
  store: Store;
  identity: Identity;
  paths: ConfigPaths;
  /** The settings this run uses, and where each came from. */
  resolved: ResolvedSettings;
  close(): Promise<void>;
}

/**
 * Check a PEER argument against the pinned peers before any engine starts: an
 * unknown or ambiguous one is a usage error (exit 2) at once.
 */
export async function checkPeerArgs(store: Store, peers: readonly string[]): Promise<void> {
  const { resolvePeer } = await engineParts();
  const candidates = store.listPins().map((p) => ({ deviceId: p.deviceId, name: p.name, pinned: true }));
  for (const peer of peers) resolvePeer(peer, candidates);
}

async function startEngine(
  claim: OwnerClaim,
  paths: ConfigPaths,
  opts: GlobalOptions,
  listen: boolean,
  onEvent?: EventSink,
  host?: HostOptions,
  peerArgs: readonly string[] = [],
): Promise<EngineRun> {
  const parts = await engineParts();
  const { Engine, loadOrCreateIdentity, openConfStore, onAllEvents, hostHandler, serveOperations, localOperations, settingsMethods, localSettingsOps, engineStatus, withDashboardService, parseHostPortSetting } = parts;
  const identity = await loadOrCreateIdentity(paths);
  const store = await openConfStore(paths);
  let resolved: ResolvedSettings;
  try {
    await checkPeerArgs(store, peerArgs);
    resolved = effectiveSettings(parts, store, opts);
  } catch (err) {
    await store.close().catch(() => {});
    await claim.close().catch(() => {});
    throw err;
  }
  const settings = resolved.settings;
  const downloadsDir = settings.downloadsDir;
  if (listen) await mkdir(downloadsDir, { recursive: true, mode: 0o755 });
  const engine = new Engine({
    identity,
    store,
    name: settings.name,
    listen: listen ? { host: '0.0.0.0', port: settings.listenPort } : null,
    discovery: settings.discovery ? { port: settings.discoveryPort, ...(settings.broadcastAddresses.length ? { broadcast: settings.broadcastAddresses } : {}) } : null,
    staticPeers: settings.staticPeers.map(parseHostPortSetting),
    downloadsDir,
    offerTimeoutMs: settings.offerTimeoutMs,
    // A private engine (no listening) works only on its own job, not on everything queued.
    outboxScope: listen ? 'all' : 'own',
    ...(listen && settings.relay ? { relay: relayOption(store, settings.relay, resolved.sourceOf('relay') === 'setting') } : {}),
  });
  const offEvents = onEvent ? onAllEvents(engine, onEvent) : undefined;
  const startedAt = Date.now();
  const live = {
    overridden: (key: string) => resolved.sourceOf(key) === 'flag' || resolved.sourceOf(key) === 'env',
    apply: async (p: Partial<typeof settings>) => {
      if (p.downloadsDir !== undefined && listen) await mkdir(p.downloadsDir, { recursive: true, mode: 0o755 });
      await engine.reconfigure({
        ...(p.name !== undefined ? { name: p.name } : {}),
        ...(p.downloadsDir !== undefined ? { downloadsDir: p.downloadsDir } : {}),
        ...(p.staticPeers !== undefined ? { staticPeers: p.staticPeers.map(parseHostPortSetting) } : {}),
      });
    },
  };
  const settingsOps = localSettingsOps(store, live);
  engine.serveSettings(settingsOps);
  const handler = hostHandler(serveOperations(localOperations(engine)), {
    ...settingsMethods(settingsOps),
    engineStatus: async () => engineStatus(engine.snapshotNow(), host?.kind ?? (listen ? 'listen' : 'command'), startedAt),
    stop: async () => {
      if (!host?.onStopRequest) {
        throw new EngineError('ERR_USAGE', `the engine runs in a '${host?.kind ?? 'peerdeck'}' process (pid ${process.pid}), not a daemon; stop it there`, 'usage');
      }
      setImmediate(host.onStopRequest);
      return { pid: process.pid };
    },
  });
  try {
    // Serve the control socket as soon as we own the identity, so other commands find us.
    // Attached dashboards are served on the same socket; one asking to stop the engine ends this
    // process the way SIGTERM does (listen, receive, a dashboard, a daemon: each shuts down cleanly on it).
    // An engine inside an application (the library) is the application's to stop, never a dashboard's.
    const onStop = () => process.kill(process.pid, 'SIGTERM');
    const stopRefused = host?.kind === 'library' ? `the engine runs inside an application (pid ${process.pid}); stop it there` : undefined;
    await claim.startControlServer(withDashboardService(handler, { engine, version: peerdeckVersion(), onStop, ...(stopRefused ? { stopRefused } : {}) }));
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
    resolved,
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
export async function runOwnedEngine(opts: GlobalOptions, onEvent?: EventSink, host?: HostOptions, peerArgs: readonly string[] = []): Promise<EngineRun> {
  const paths = await prepareConfigDir(opts.configDir);
  const claim = await claimIdentity({ lockPath: paths.lockFile, socketPath: paths.controlSocket });
  if (claim.kind === 'client') {
    claim.client.close();
    throw new EngineError('ERR_ENGINE_LOCKED', `another peerdeck process${claim.holderPid ? ` (pid ${claim.holderPid})` : ''} already runs the engine for ${paths.root}`, 'local');
  }
  return startEngine(claim, paths, opts, true, onEvent, host, peerArgs);
}

/** runOwnedEngine for a caller that already holds the identity (src/dashboard-attach.ts). */
export function runClaimedEngine(claim: OwnerClaim, paths: ConfigPaths, opts: GlobalOptions, host?: HostOptions): Promise<EngineRun> {
  return startEngine(claim, paths, opts, true, undefined, host);
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
  const run = await startEngine(claim, paths, opts, false, undefined, undefined, peerArgs);
  const offSignals = stopOnSignal(() => run.close());
  try {
    const { localOperations } = await engineParts();
    return await fn(localOperations(run.engine), false);
  } finally {
    offSignals();
    await run.close();
  }
}

/**
 * Run `fn` against this identity's settings: through the running engine when
 * there is one (it applies what it can at once), else on config.json directly,
 * holding the engine lock meanwhile so no engine starts half-way.
 */
export async function withSettings<T>(opts: Pick<GlobalOptions, 'configDir'>, fn: (ops: SettingsOps, remote: boolean) => Promise<T>): Promise<T> {
  const paths = await prepareConfigDir(opts.configDir);
  const claim = await claimIdentity({ lockPath: paths.lockFile, socketPath: paths.controlSocket });
  if (claim.kind === 'client') {
    try {
      return await fn(remoteSettings(claim.client), true);
    } finally {
      claim.client.close();
    }
  }
  try {
    const { openConfStore, localSettingsOps } = await engineParts();
    const store = await openConfStore(paths);
    try {
      return await fn(localSettingsOps(store), false);
    } finally {
      await store.close();
    }
  } finally {
    await claim.close();
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

/** The engine's relay option: a relay ID pinned on first use is written back into the stored setting (not into a flag's). */
function relayOption(store: Store, address: string, stored: boolean): NonNullable<EngineOptions['relay']> {
  return {
    address,
    onPinned: (hostPort, id) => {
      if (!stored) return;
      try {
        store.updateSettings({ relay: `${hostPort}#${id}` });
      } catch {
        // The pin still holds for this run; the next start pins again on first use.
      }
    },
  };
}

