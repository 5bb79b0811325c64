/**
 * Only pinned peers can open an application connection: a raw mutual-TLS client
 * on ALPN peerdeck-app/1 with a certificate the Peer has not pinned is turned
 * away (the socket closes, no byte of the app protocol comes back, the
 * application never sees a request), while the same client with a pinned
 * certificate reaches the application (which denies it, so APP_DENY comes back).
 * The Peer is the package entry's; the raw client is the test's own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPeer, type ConnectionRequest, type Peer } from 'peerdeck';
import { fixtureIdentity } from '../../fixtures/identities/index.js';
import { decodeAppFrame, encodeAppControl } from '../../src/protocol/messages/app.js';
import { FrameDecoder } from '../../src/protocol/frame-decoder.js';

const root = mkdtempSync(path.join(tmpdir(), 'peerdeck-lib-unpinned-'));
let alice: Peer;
const requests: ConnectionRequest[] = [];

beforeAll(async () => {
  alice = await createPeer({ configDir: path.join(root, 'alice'), port: 0, discovery: false });
  alice.on('connection-request', (req) => {
    requests.push(req);
    req.deny('test says no');
  });
  await alice.trust.add(fixtureIdentity(4).deviceId, { name: 'pinned' });
});
afterAll(async () => {
  await alice?.close();
  rmSync(root, { recursive: true, force: true });
});

/** Dial alice's app ALPN as fixture identity `i`, send APP_OPEN, collect what comes back until the socket closes. */
function rawOpen(i: number): Promise<{ frames: string[]; bytes: number }> {
  const id = fixtureIdentity(i);
  return new Promise((resolve) => {
    const decoder = new FrameDecoder(() => 64 * 1024);
    const frames: string[] = [];
    let bytes = 0;
    const s = tls.connect({ host: '127.0.0.1', port: alice.port, cert: id.certPem, key: id.keyPem, ALPNProtocols: ['peerdeck-app/1'], rejectUnauthorized: false, minVersion: 'TLSv1.3' }, () => {
      s.write(encodeAppControl({ type: 'APP_OPEN', dataType: 'json', strict: false, timeoutMs: 3000 }));
    });
    s.on('data', (d: Buffer) => {
      bytes += d.length;
      for (const f of decoder.push(d)) frames.push(decodeAppFrame(f).type);
    });
    s.on('error', () => {});
    s.on('close', () => resolve({ frames, bytes }));
    s.setTimeout(8000, () => s.destroy());
  });
}

it('an unpinned certificate is refused on the app ALPN; a pinned one reaches the application', { timeout: 20_000 }, async () => {
  const stranger = await rawOpen(3);
  expect(stranger).toEqual({ frames: [], bytes: 0 });
  expect(requests).toHaveLength(0);

  const pinned = await rawOpen(4);
  expect(pinned.frames).toEqual(['APP_DENY']);
  expect(requests.map((r) => r.peerId)).toEqual([fixtureIdentity(4).deviceId]);
});
