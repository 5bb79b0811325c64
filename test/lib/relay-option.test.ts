/**
 * createPeer's `relay` option through the public entry: a Peer registers with a
 * real relay on 127.0.0.1 and shows its state in `peer.relay`; a malformed
 * relay address is refused with a typed error (ERR_SETTING_INVALID) before an engine starts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createPeer } from 'peerdeck';
import { fixtureIdentity } from '../../fixtures/identities/index.js';
import { systemClock } from '../../src/core/clock.js';
import { RelayServer } from '../../src/relay/relay-server.js';

const root = mkdtempSync(path.join(tmpdir(), 'peerdeck-lib-relay-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('a Peer with relay: registers with it and reports the state', { timeout: 20_000 }, async () => {
  const server = new RelayServer({ identity: fixtureIdentity(0), host: '127.0.0.1', port: 0, clock: systemClock });
  const port = await server.start();
  try {
    const peer = await createPeer({ configDir: path.join(root, 'a'), port: 0, discovery: false, relay: `127.0.0.1:${port}#${fixtureIdentity(0).deviceId}` });
    try {
      await expect.poll(() => peer.relay, { timeout: 10_000 }).toMatch(new RegExp(`^127\\.0\\.0\\.1:${port} registered`));
      expect(server.stats().clients).toBe(1);
    } finally {
      await peer.close();
    }
    await expect.poll(() => server.stats().clients).toBe(0);
  } finally {
    await server.close();
  }
  const none = await createPeer({ configDir: path.join(root, 'b'), port: 0, discovery: false, relay: 'none' });
  expect(none.relay).toBeUndefined();
  await none.close();
});

it('a malformed relay address is refused with ERR_SETTING_INVALID (as --relay is)', async () => {
  await expect(createPeer({ configDir: path.join(root, 'c'), port: 0, discovery: false, relay: 'not a relay' })).rejects.toMatchObject({ code: 'ERR_SETTING_INVALID' });
});
