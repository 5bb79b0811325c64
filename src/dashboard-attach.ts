/**
 * Bare `peerdeck`: attach the dashboard to the identity's running engine over
 * its control socket (a RemoteEngine), or, when none runs, start one.
 *
 * Where a new engine runs is the caller's choice, through `startEngine`:
 * - given (e.g. "spawn `peerdeck daemon` and wait for its socket"), the engine
 *   is started in the background and this dashboard attaches to it like any
 *   other, so closing the terminal never stops it — the tmux model;
 * - absent (today), the engine runs in this process, as before: leaving the
 *   dashboard stops it. "Start it again" after an attached engine went away
 *   then also starts it in this process and attaches to it.
 */
import { claimIdentity } from './core/control/engine-host.js';
import { RemoteEngine } from './core/control/remote-engine.js';
import { prepareConfigDir } from './core/config-dir.js';
import type { EngineHandle } from './core/engine-api.js';
import { peerdeckVersion } from './core/version.js';
import type { GlobalOptions } from './cli/global-flags.js';
import { runClaimedEngine, runOwnedEngine } from './runtime.js';

export interface DashboardSession {
  readonly engine: EngineHandle;
  /** The engine runs in another process. */
  readonly remote: boolean;
  /** Once the dashboard is gone: let go of the engine (an engine in this process is shut down). */
  close(): Promise<void>;
}

/** Start the identity's engine in the background; resolve once it serves its control socket. */
export type StartEngine = () => Promise<void>;

export async function attachOrStart(opts: GlobalOptions, startEngine?: StartEngine): Promise<DashboardSession> {
  const paths = await prepareConfigDir(opts.configDir);
  const socketPath = paths.controlSocket;
  const version = peerdeckVersion();
  const inProcess: Array<{ close(): Promise<void> }> = [];
  const startAgain: StartEngine =
    startEngine ??
    (async () => {
      inProcess.push(await runOwnedEngine(opts, undefined, { kind: 'dashboard' }));
    });
  const attach = async (client?: Parameters<typeof RemoteEngine.attach>[1]): Promise<DashboardSession> => {
    const remote = await RemoteEngine.attach({ socketPath, version, start: startAgain }, client);
    return {
      engine: remote,
      remote: true,
      async close() {
        await remote.detach();
        for (const run of inProcess.splice(0)) await run.close();
      },
    };
  };

  const claim = await claimIdentity({ lockPath: paths.lockFile, socketPath });
  if (claim.kind === 'client') return attach(claim.client);
  if (startEngine) {
    await claim.close();
    await startEngine();
    return attach();
  }
  const run = await runClaimedEngine(claim, paths, opts, { kind: 'dashboard' });
  return { engine: run.engine, remote: false, close: () => run.close() };
}
