/**
 * `peerdeck relay` as a real process: prints its ID and port, registers a client
 * (fixture identity over real TLS), prints JSON events with IDs and sizes only,
 * refuses a bad --allow with exit 2, stops on SIGTERM with its stats.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureIdentity, installFixtureIdentity } from '../../fixtures/identities/index.js';
import { configPaths } from '../../src/common/config-dir.js';
import { systemClock } from '../../src/core/clock.js';
import { RelayChannel } from '../../src/core/relay-wire/relay-channel.js';
import { dialTls } from '../../src/core/tls/tls-dialer.js';
import { ALPN_RELAY } from '../../src/core/tls/tls-options.js';
import type { RelayMessage } from '../../src/protocol/relay/relay-messages.js';
import { Daemon, requireBuild, run, tempDir } from './cli-harness.js';

describe('peerdeck relay (process)', () => {
  const dir = tempDir('peerdeck-relay-');
  beforeAll(async () => {
    requireBuild();
    await installFixtureIdentity(4, configPaths(join(dir.path, 'relay')));
  });
  afterAll(() => dir.remove());

  it('serves a client and prints IDs, sizes and times only', async () => {
    const alice = fixtureIdentity(1);
    const relay = new Daemon(['relay', '--config-dir', join(dir.path, 'relay'), '--host', '127.0.0.1', '--port', '0', '--json', '--allow', alice.deviceId]);
    try {
      const listening = await relay.waitFor((e) => e.type === 'relay-listening');
      expect(listening).toMatchObject({ deviceId: fixtureIdentity(4).deviceId, allow: 1 });
      const socket = await dialTls({
        host: '127.0.0.1',
        port: listening.port as number,
        certPem: alice.certPem,
        keyPem: alice.keyPem,
        alpn: ALPN_RELAY,
        expectedDeviceId: fixtureIdentity(4).deviceId,
        clock: systemClock,
      });
      const got: RelayMessage[] = [];
      new RelayChannel(socket, { onMessage: (m) => got.push(m), onClose: () => {} });
      await relay.waitFor((e) => e.type === 'registered' && e.deviceId === alice.deviceId);
      await expect.poll(() => got.map((m) => m.type)).toEqual(['RELAY_OK']);
      socket.close();
      await relay.waitFor((e) => e.type === 'left');
    } finally {
      const exit = await relay.stop('SIGTERM');
      expect(relay.events.at(-1)).toMatchObject({ type: 'relay-stopped', clients: 0, heldEnvelopes: 0 });
      expect(exit.code === 0 || exit.code === 143).toBe(true);
    }
  });

  it('refuses a bad --allow with exit 2 and does not start', async () => {
    const r = await run(['relay', '--config-dir', join(dir.path, 'relay'), '--port', '0', '--allow', 'not-an-id']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--allow');
  });
});
