/**
 * Real engines on 127.0.0.1 (port 0) served on a real control socket with the
 * dashboard service, for attach tests: `hostEngine` is what a peerdeck
 * process does, `pairUp` verifies two engines with each other.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createControlServer, type ControlServer } from '../../../src/core/control/control-server.js';
import { withDashboardService } from '../../../src/core/control/dashboard-service.js';
import { serveOperations } from '../../../src/core/engine/control-bridge.js';
import { Engine } from '../../../src/core/engine/engine.js';
import { localOperations } from '../../../src/core/engine/operations.js';
import { testIdentity } from '../../helpers/certs.js';
import { nextEvent } from '../../helpers/engine-events.js';
import { MemoryEngineStore, tempDownloads } from '../../helpers/memory-engine-store.js';

export const VERSION = '1.2.3';

export function makeEngine(name: 'alice' | 'bob' | 'carol'): Engine {
  return new Engine({
    identity: testIdentity(name),
    store: new MemoryEngineStore(),
    name,
    listen: { host: '127.0.0.1', port: 0 },
    discovery: null,
    downloadsDir: tempDownloads(),
  });
}

export interface Hosted {
  readonly socketPath: string;
  server: ControlServer;
  stopRequests: number;
  /** Serve the socket again (after close), as a restarted engine would. */
  serveAgain(engine?: Engine): Promise<void>;
  close(): Promise<void>;
}

export async function hostEngine(engine: Engine, version = VERSION): Promise<Hosted> {
  const dir = mkdtempSync(join(tmpdir(), 'pd-att-'));
  const socketPath = join(dir, 'control.sock');
  const serve = (e: Engine) =>
    createControlServer({
      socketPath,
      handler: withDashboardService(serveOperations(localOperations(e)), {
        engine: e,
        version,
        onStop: () => {
          hosted.stopRequests++;
          void hosted.server.close();
        },
      }),
    });
  const hosted: Hosted = {
    socketPath,
    server: await serve(engine),
    stopRequests: 0,
    async serveAgain(e = engine) {
      hosted.server = await serve(e);
    },
    async close() {
      await hosted.server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return hosted;
}

export async function pairUp(a: Engine, b: Engine): Promise<void> {
  const reqA = nextEvent(a, 'pair-request');
  const reqB = nextEvent(b, 'pair-request');
  await a.pairAddress('127.0.0.1', b.port);
  const [ra, rb] = await Promise.all([reqA, reqB]);
  const pairedA = nextEvent(a, 'paired');
  const pairedB = nextEvent(b, 'paired');
  a.answerPairing(ra.pairingId, true);
  b.answerPairing(rb.pairingId, true, rb.code);
  await Promise.all([pairedA, pairedB]);
}

/** Resolves once `pred` holds, checking on every change of `subscribe`'s source. */
export function until(source: { subscribe(fn: () => void): () => void }, pred: () => boolean, ms = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (pred()) return resolve();
    const timer = setTimeout(() => {
      off();
      reject(new Error('timed out waiting for a condition'));
    }, ms);
    const off = source.subscribe(() => {
      if (!pred()) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

export { expect };
