/**
 * The engine with a home relay: it registers on start (real relay on 127.0.0.1),
 * reports the state in the snapshot (self.relay, shown by the dashboard
 * header), hands the first-use pin to onPinned, and shows the relay as
 * unavailable (with the reason) when its ID changed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fixtureIdentity } from '../../../fixtures/identities/index.js';
import { systemClock } from '../../../src/core/clock.js';
import { Engine } from '../../../src/core/engine/engine.js';
import { describeRelayState } from '../../../src/core/relay-client/relay-home.js';
import { RelayServer } from '../../../src/relay/relay-server.js';
import { MemoryEngineStore, tempDownloads } from '../../helpers/memory-engine-store.js';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function relay() {
  const server = new RelayServer({ identity: fixtureIdentity(0), host: '127.0.0.1', port: 0, clock: systemClock });
  const port = await server.start();
  cleanup.push(() => server.close());
  return { server, port };
}

async function engine(address: string, onPinned?: (hostPort: string, id: string) => void) {
  const e = new Engine({
    identity: fixtureIdentity(1),
    store: new MemoryEngineStore(),
    name: 'alice',
    listen: { host: '127.0.0.1', port: 0 },
    discovery: null,
    downloadsDir: tempDownloads(),
    relay: { address, onPinned },
  });
  cleanup.push(() => e.shutdown());
  await e.start();
  return e;
}

describe('engine home relay', () => {
  it('registers on start, shows it in self.relay and pins the relay on first use', async () => {
    const { server, port } = await relay();
    const pinned: string[] = [];
    const e = await engine(`127.0.0.1:${port}`, (hp, id) => pinned.push(`${hp}#${id}`));
    await expect.poll(() => e.snapshotNow().self.relay).toMatch(new RegExp(`^127\\.0\\.0\\.1:${port} registered \\[${fixtureIdentity(0).deviceId.slice(0, 7)}\\]`));
    expect(pinned).toEqual([`127.0.0.1:${port}#${fixtureIdentity(0).deviceId}`]);
    expect(server.stats().clients).toBe(1);
    await e.shutdown();
    await expect.poll(() => server.stats().clients).toBe(0);
  });

  it('refuses a relay whose ID is not the one given, and says why', async () => {
    const { port } = await relay();
    const e = await engine(`127.0.0.1:${port}#${fixtureIdentity(5).deviceId}`);
    await expect.poll(() => e.snapshotNow().self.relay).toMatch(/connecting \(1 failed: the relay's device ID changed/);
  });

  it('describes an unavailable relay with its reason', () => {
    expect(describeRelayState({ state: 'unavailable', address: 'r:1', failures: 3, reason: 'cannot reach r:1' }, 0)).toBe('r:1 unavailable: cannot reach r:1');
  });
});
