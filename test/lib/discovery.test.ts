/**
 * peer.discover() and peer.peers() through the public entry: two peers with
 * LAN discovery on, both bound to one free UDP port and broadcasting to
 * 127.255.255.255 (as two processes on one machine would on the real port),
 * find each other without being pinned; the iterator yields the other side,
 * the snapshot lists it, a pin shows as `verified`, and abort / close end the
 * iterators.
 */
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPeer, type DiscoveredPeer, type Peer } from 'peerdeck';

const LOOPBACK_BROADCAST = '127.255.255.255';
const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'peerdeck-lib-disc-'));
  dirs.push(d);
  return d;
}

async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(0, '0.0.0.0', () => resolve());
  });
  const { port } = s.address();
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** The first item of `it` that satisfies `ok`, or a rejection after `ms`. */
async function firstMatching<T>(it: AsyncIterator<T>, ok: (v: T) => boolean, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timed out waiting for ${what}`);
    let timer: NodeJS.Timeout | undefined;
    const r = await Promise.race([it.next(), new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), left)))]).finally(() => clearTimeout(timer));
    if (r.done) throw new Error(`the iterator ended before ${what}`);
    if (ok(r.value)) return r.value;
  }
}

let a: Peer;
let b: Peer;

beforeAll(async () => {
  const discoveryPort = await freeUdpPort();
  const common = { port: 0, discovery: true, discoveryPort, broadcast: [LOOPBACK_BROADCAST] };
  a = await createPeer({ ...common, configDir: tmp(), name: 'disc-alice', downloadsDir: tmp() });
  b = await createPeer({ ...common, configDir: tmp(), name: 'disc-bob', downloadsDir: tmp() });
});

afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('peer.discover()', () => {
  it('yields the other peer (unpinned), and the snapshot lists it', { timeout: 15_000 }, async () => {
    const seenByA = a.discover();
    const seenByB = b.discover();
    const t0 = performance.now();
    const [bAtA, aAtB] = await Promise.all([
      firstMatching(seenByA, (p) => p.deviceId === b.deviceId, 8_000, 'alice to see bob'),
      firstMatching(seenByB, (p) => p.deviceId === a.deviceId, 8_000, 'bob to see alice'),
    ]);
    console.log(`[lib discovery] both sides discovered each other in ${(performance.now() - t0).toFixed(0)} ms`);
    expect(bAtA).toEqual<DiscoveredPeer>({ deviceId: b.deviceId, name: 'disc-bob', address: '127.0.0.1', port: b.port, verified: false });
    expect(aAtB).toMatchObject({ deviceId: a.deviceId, name: 'disc-alice', port: a.port, verified: false });
    // Nobody sees itself.
    expect(a.peers().some((p) => p.deviceId === a.deviceId)).toBe(false);
    expect(a.peers().find((p) => p.deviceId === b.deviceId)).toMatchObject({ deviceId: b.deviceId, name: 'disc-bob', verified: false });
    await seenByA.return?.();
    await seenByB.return?.();
    expect(await seenByA.next()).toEqual({ done: true, value: undefined });
  });

  it('a new iterator starts with the peers known now; pinning shows as verified', { timeout: 15_000 }, async () => {
    const first = await a.discover().next();
    expect(first.done).toBe(false);
    expect(first.value).toMatchObject({ deviceId: b.deviceId, verified: false });

    await a.trust.add(b.deviceId, { name: 'bob' });
    await b.trust.add(a.deviceId, { name: 'alice' });
    const it = a.discover();
    const pinned = await firstMatching(it, (p) => p.deviceId === b.deviceId && p.verified, 8_000, 'bob to show as verified');
    expect(pinned).toMatchObject({ deviceId: b.deviceId, port: b.port, verified: true });
    await it.return?.();
  });

  it('an AbortSignal ends the iterator with ERR_ABORTED; close() ends the others', { timeout: 15_000 }, async () => {
    const ac = new AbortController();
    const it = a.discover({ signal: ac.signal });
    await it.next(); // the snapshot's bob
    const pending = it.next();
    ac.abort();
    await expect(pending).rejects.toMatchObject({ code: 'ERR_ABORTED' });

    const c = await createPeer({ configDir: tmp(), name: 'disc-carol', port: 0, discovery: false, downloadsDir: tmp() });
    const open = c.discover();
    const waiting = open.next();
    await c.close();
    expect(await waiting).toEqual({ done: true, value: undefined });
  });
});
