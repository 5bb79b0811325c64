/**
 * Issue 17 ("smaller things"): a UDP flood of 20,000 datagrams with made-up
 * device IDs, sent in about 0.6 s against a real engine (real UDP on loopback),
 * used to produce hundreds of `peer-discovered` events: the per-source bucket
 * was keyed by ip:port, so a flooder rotating source ports got a fresh bucket
 * per socket. Now the key is the address, and new device IDs cost a token per
 * source address and overall, so the event stream carries a handful of fakes,
 * and a real peer starting during the flood is still found.
 */
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { NEW_PEERS_GLOBAL, NEW_PEERS_PER_SOURCE } from '../../../src/core/discovery/constants.js';
import type { DiscoveryCounters } from '../../../src/core/discovery/events.js';
import { Engine } from '../../../src/core/engine/engine.js';
import { deviceIdFromBytes } from '../../../src/protocol/device-id.js';
import { encodeDiscoveryPacket } from '../../../src/protocol/discovery-packet.js';
import { testIdentity } from '../../helpers/certs.js';
import { MemoryEngineStore, tempDownloads } from '../../helpers/memory-engine-store.js';
import { freeUdpPort } from './helpers.js';

const TOTAL = 20_000;
const SOCKETS = 200;
const engines: Engine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.shutdown()));
});

function engine(name: 'alice' | 'bob', disc: number): Engine {
  const e = new Engine({ identity: testIdentity(name), store: new MemoryEngineStore(), name, listen: { host: '127.0.0.1', port: 0 }, discovery: { port: disc, broadcast: ['127.255.255.255'] }, downloadsDir: tempDownloads() });
  engines.push(e);
  return e;
}

/** 20,000 PINGs with random IDs from SOCKETS sockets (random ports) spread over `sources`; resolves with the ms it took. */
async function flood(disc: number, sources: string[]): Promise<number> {
  const socks = await Promise.all(
    Array.from({ length: SOCKETS }, (_, i) => {
      const s = dgram.createSocket({ type: 'udp4', reuseAddr: true });
      return new Promise<dgram.Socket>((r) => s.bind(0, sources[i % sources.length], () => (s.setBroadcast(true), r(s))));
    }),
  );
  const t0 = performance.now();
  const perSocket = TOTAL / SOCKETS;
  // Bursts of 50, yielding between them: the engine shares this process's event loop, and
  // without a chance to read, the kernel would drop nearly all of it at the receive buffer.
  for (let k = 0; k < perSocket; k++) {
    for (let j = 0; j < SOCKETS; j += 50) {
      await Promise.all(
        socks.slice(j, j + 50).map((s) => {
          const data = encodeDiscoveryPacket({ kind: 'ping', query: false, deviceId: deviceIdFromBytes(randomBytes(32)), tcpPort: 9, name: 'fake' });
          return new Promise<void>((r) => s.send(data, disc, '127.255.255.255', () => r()));
        }),
      );
      await new Promise((r) => setImmediate(r));
    }
  }
  const ms = performance.now() - t0;
  await Promise.all(socks.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ms;
}

const countersOf = (e: Engine) => (e as unknown as { connections: { discovery: { counters: DiscoveryCounters } } }).connections.discovery.counters;

describe('discovery flood with made-up IDs against a real engine (issue 17)', () => {
  it('one ID announced from 50 addresses in turn makes one peer-discovered event, not one per address', async () => {
    const disc = await freeUdpPort();
    const a = engine('alice', disc);
    const fake = deviceIdFromBytes(randomBytes(32));
    let events = 0;
    a.events.on('peer-discovered', (p) => void (p.deviceId === fake && events++));
    await a.start();
    const socks = await Promise.all(
      Array.from({ length: 50 }, (_, i) => {
        const s = dgram.createSocket({ type: 'udp4', reuseAddr: true });
        return new Promise<dgram.Socket>((r) => s.bind(0, `127.0.1.${i + 1}`, () => (s.setBroadcast(true), r(s))));
      }),
    );
    const data = encodeDiscoveryPacket({ kind: 'ping', query: false, deviceId: fake, tcpPort: 9, name: 'fake' });
    for (let round = 0; round < 20; round++) {
      for (const s of socks) await new Promise<void>((r) => s.send(data, disc, '127.255.255.255', () => r()));
      await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, 200));
    await Promise.all(socks.map((s) => new Promise<void>((r) => s.close(() => r()))));
    const c = countersOf(a);
    expect(c.accepted).toBeGreaterThan(200); // the datagrams got through the rate limits: the events are what is coalesced
    expect(events).toBe(1);
  }, 30_000);

  const cases: Array<[string, string[], number]> = [
    ['one address rotating 200 source ports', ['127.0.0.9'], NEW_PEERS_PER_SOURCE.capacity + 1],
    ['50 addresses', Array.from({ length: 50 }, (_, i) => `127.0.1.${i + 1}`), NEW_PEERS_GLOBAL.capacity + 8],
  ];
  for (const [name, sources, bound] of cases) {
    it(`${name}: a handful of peer-discovered events, and a real peer starting meanwhile is found`, async () => {
      const disc = await freeUdpPort();
      const a = engine('alice', disc);
      const fakes: string[] = [];
      const bobId = testIdentity('bob').deviceId;
      a.events.on('peer-discovered', (p) => {
        if (p.deviceId !== bobId) fakes.push(p.deviceId);
      });
      await a.start();
      const flooding = flood(disc, sources);
      await new Promise((r) => setTimeout(r, 100));
      const b = engine('bob', disc);
      await b.start();
      const ms = await flooding;
      expect(await a.waitFor(() => a.snapshotNow().peers.some((p) => p.deviceId === bobId), 8_000)).toBe(true);
      const c = countersOf(a);
      console.log(`[discovery flood: ${name}] ${TOTAL} datagrams in ${ms.toFixed(0)} ms; ${fakes.length} peer-discovered for fake IDs; counters ${JSON.stringify(c)}`);
      // The flood reached the engine (the kernel drops what overflows the receive buffer).
      expect(c.received).toBeGreaterThan(TOTAL / 10);
      expect(fakes.length).toBeLessThanOrEqual(bound);
    }, 30_000);
  }
});
