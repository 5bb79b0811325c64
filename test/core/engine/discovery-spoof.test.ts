/**
 * Issue 17, item 4: spoofed discovery against real engines (real UDP on
 * loopback, real TLS). A hostile sender on 127.0.0.9 broadcasts packets that
 * carry bob's device ID: a BYE must not make alice report bob as gone while
 * their session is up, and a stream of announcements pointing at the
 * attacker's address must not steer alice's redials there (bob's last
 * authenticated address comes first; the announced one gets a dial only now
 * and then).
 */
import dgram from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/core/engine/engine.js';
import type { EngineEventMap } from '../../../src/core/engine/events.js';
import { deviceIdFromBytes, type DeviceId } from '../../../src/protocol/device-id.js';
import { encodeDiscoveryPacket, type DiscoveryPacket } from '../../../src/protocol/discovery-packet.js';
import { testIdentity, type TestIdentity } from '../../helpers/certs.js';
import { MemoryEngineStore, tempDownloads } from '../../helpers/memory-engine-store.js';
import { freeUdpPort } from '../discovery/helpers.js';

const SPOOF_FROM = '127.0.0.9';
const engines: Engine[] = [];
const closers: Array<() => unknown> = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.shutdown()));
  for (const c of closers.splice(0)) await c();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function engine(id: TestIdentity, store: MemoryEngineStore, name: string, disc: number, port = 0): Engine {
  const e = new Engine({ identity: id, store, name, listen: { host: '127.0.0.1', port }, discovery: { port: disc, broadcast: ['127.255.255.255'] }, downloadsDir: tempDownloads() });
  engines.push(e);
  return e;
}

function record<K extends keyof EngineEventMap>(e: Engine, type: K): EngineEventMap[K][] {
  const got: EngineEventMap[K][] = [];
  e.events.on(type, (p) => got.push(p));
  return got;
}

async function spoofer(disc: number): Promise<{ send(p: DiscoveryPacket): Promise<void> }> {
  const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  await new Promise<void>((r) => sock.bind(0, SPOOF_FROM, () => r()));
  sock.setBroadcast(true);
  closers.push(() => new Promise<void>((r) => sock.close(() => r())));
  return {
    send: (p) => new Promise<void>((resolve, reject) => sock.send(encodeDiscoveryPacket(p), disc, '127.255.255.255', (err) => (err ? reject(err) : resolve()))),
  };
}

/** A TCP server on the attacker's address that counts the connections it gets and drops them. */
async function trap(): Promise<{ server: Server; port: number; hits: () => number }> {
  let hits = 0;
  const server = createServer((s) => {
    hits++;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, SPOOF_FROM, () => r()));
  closers.push(() => new Promise<void>((r) => server.close(() => r())));
  return { server, port: (server.address() as { port: number }).port, hits: () => hits };
}

async function pairedOnline(disc: number) {
  const alice = testIdentity('alice');
  const bob = testIdentity('bob');
  const sa = new MemoryEngineStore();
  const sb = new MemoryEngineStore();
  const a = engine(alice, sa, 'alice', disc);
  const b = engine(bob, sb, 'bob', disc);
  a.trustAdd(bob.deviceId, 'bob');
  b.trustAdd(alice.deviceId, 'alice');
  await a.start();
  await b.start();
  expect(await a.waitFor(() => a.isOnline(bob.deviceId) && b.isOnline(alice.deviceId), 10_000)).toBe(true);
  return { a, b, alice, bob, sa, sb };
}

/** Loopback delivers in order: once a marker packet from the spoofer was seen, everything sent before it was handled. */
async function flush(a: Engine, s: { send(p: DiscoveryPacket): Promise<void> }, n: number): Promise<void> {
  const marker: DeviceId = deviceIdFromBytes(Buffer.alloc(32, n));
  const seen = new Promise<void>((r) => {
    const off = a.events.on('peer-discovered', (p) => {
      if (p.deviceId === marker) {
        off();
        r();
      }
    });
  });
  await s.send({ kind: 'ping', query: false, deviceId: marker, tcpPort: 9, name: 'marker' });
  await seen;
}

describe('spoofed discovery never overrides a live session (issue 17)', () => {
  it('a BYE and announcements with a connected peer’s ID from elsewhere change nothing', async () => {
    const disc = await freeUdpPort();
    const { a, bob } = await pairedOnline(disc);
    const left = record(a, 'peer-left');
    const discovered = record(a, 'peer-discovered');
    const offline = record(a, 'peer-offline');
    const s = await spoofer(disc);
    // The BYE only counts from an address bob was heard from: announce from there first.
    await s.send({ kind: 'ping', query: false, deviceId: bob.deviceId, tcpPort: 9, name: 'bob' });
    await s.send({ kind: 'bye', deviceId: bob.deviceId, tcpPort: 9, name: 'bob' });
    await flush(a, s, 0xa1);
    expect(left).toEqual([]);
    expect(offline).toEqual([]);
    expect(discovered.filter((d) => d.deviceId === bob.deviceId)).toEqual([]);
    expect(a.isOnline(bob.deviceId)).toBe(true);
    const view = a.snapshotNow().peers.find((p) => p.deviceId === bob.deviceId)!;
    expect(view.state).toBe('online');
    expect(view.address?.startsWith('127.0.0.1:')).toBe(true);
  }, 30_000);

  it('repeated spoofed announcements do not steer redials away from the last authenticated address', async () => {
    const disc = await freeUdpPort();
    const { a, b, bob, sb } = await pairedOnline(disc);
    const bobPort = b.port;
    const t = await trap();
    // Bob goes away (his BYE comes from his real address: a real departure).
    await b.shutdown();
    expect(await a.waitFor(() => !a.isOnline(bob.deviceId), 5_000)).toBe(true);
    const s = await spoofer(disc);
    // 15 announcements of bob's ID pointing at the trap, 200 ms apart; bob comes back halfway.
    let b2: Engine | undefined;
    for (let i = 0; i < 15; i++) {
      await s.send({ kind: 'ping', query: false, deviceId: bob.deviceId, tcpPort: t.port, name: 'bob' });
      if (i === 7) {
        b2 = engine(bob, sb, 'bob', disc, bobPort);
        await b2.start();
      }
      await sleep(200);
    }
    expect(await a.waitFor(() => a.isOnline(bob.deviceId), 5_000)).toBe(true);
    const view = a.snapshotNow().peers.find((p) => p.deviceId === bob.deviceId)!;
    expect(view.address).toBe(`127.0.0.1:${bobPort}`);
    // Before the fix every announcement sent a dial to the trap first (15 of them); now the
    // announced address is tried in addition, then backed off (2 s, doubling).
    expect(t.hits()).toBeLessThanOrEqual(3);
    expect(b2).toBeDefined();
  }, 30_000);
});
