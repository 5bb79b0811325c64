/**
 * Discovery over real UDP sockets on loopback: every participant binds the same
 * (random, free) port and broadcasts to 127.255.255.255, as several processes on
 * one machine would on the real port.
 */
import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock, systemRandom } from '../../../src/core/clock.js';
import { ANNOUNCE_INTERVAL_MS, ANNOUNCE_JITTER, REQUERY_AFTER_MS } from '../../../src/core/discovery/constants.js';
import { Discovery } from '../../../src/core/discovery/discovery.js';
import { DiscoveryError } from '../../../src/core/discovery/errors.js';
import type { PeerGoneEvent, PeerSeenEvent } from '../../../src/core/discovery/events.js';
import { deviceIdFromBytes, type DeviceId } from '../../../src/protocol/device-id.js';
import { encodeDiscoveryPacket } from '../../../src/protocol/discovery-packet.js';
import { freeUdpPort, spawnTs, waitFor, type ChildPeer } from './helpers.js';

const LOOPBACK_BROADCAST = '127.255.255.255';
const id = (n: number): DeviceId => deviceIdFromBytes(Buffer.alloc(32, n));

interface Peer {
  readonly d: Discovery;
  readonly seen: PeerSeenEvent[];
  readonly gone: PeerGoneEvent[];
}

const running: Discovery[] = [];
const children: ChildPeer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((d) => d.stop()));
  for (const c of children.splice(0)) c.proc.kill('SIGKILL');
});

function peer(n: number, port: number): Peer {
  const d = new Discovery({
    selfId: id(n),
    name: `peer ${n}`,
    tcpPort: 40_000 + n,
    discoveryPort: port,
    broadcast: [LOOPBACK_BROADCAST],
    clock: systemClock,
    random: systemRandom,
  });
  running.push(d);
  const seen: PeerSeenEvent[] = [];
  const gone: PeerGoneEvent[] = [];
  d.on('peer-seen', (e) => seen.push(e));
  d.on('peer-gone', (e) => gone.push(e));
  return { d, seen, gone };
}

const knows = (p: Peer, n: number) => p.d.peers().some((x) => x.deviceId === id(n));

describe('Discovery on real sockets (loopback)', () => {
  it('two instances in one process see each other within 2 s, ignoring their own packets', async () => {
    const port = await freeUdpPort();
    const a = peer(1, port);
    const b = peer(2, port);
    await a.d.start();
    const t0 = performance.now();
    await b.d.start();
    const ms = await waitFor(() => knows(a, 2) && knows(b, 1), 2_000, 'a and b to see each other');
    console.log(`[discovery] in-process: both sides saw each other ${ms.toFixed(1)} ms after the second start (${(performance.now() - t0).toFixed(1)} ms incl. bind)`);
    expect(a.seen[0]).toMatchObject({ deviceId: id(2), address: '127.0.0.1', port: 40_002, name: 'peer 2', firstTime: true });
    expect(b.seen[0]).toMatchObject({ deviceId: id(1), address: '127.0.0.1', port: 40_001, firstTime: true });
    // Own broadcasts come back on the shared port and are ignored.
    expect(a.d.counters.selfIgnored).toBeGreaterThan(0);
    expect(b.d.counters.selfIgnored).toBeGreaterThan(0);
    expect(a.d.peers().map((p) => p.deviceId)).toEqual([id(2)]);
    expect(b.d.peers().map((p) => p.deviceId)).toEqual([id(1)]);
  });

  it('BYE removes a peer from the other tables at once', async () => {
    const port = await freeUdpPort();
    const [a, b, c] = [peer(1, port), peer(2, port), peer(3, port)];
    await Promise.all([a.d.start(), b.d.start(), c.d.start()]);
    await waitFor(() => knows(a, 3) && knows(b, 3) && knows(c, 1), 2_000, 'everyone to see everyone');
    await c.d.stop();
    const ms = await waitFor(() => !knows(a, 3) && !knows(b, 3), 1_000, 'c to be gone');
    console.log(`[discovery] BYE: peer removed from the others ${ms.toFixed(1)} ms after stop()`);
    expect(a.gone).toEqual([{ deviceId: id(3), reason: 'bye' }]);
    expect(b.gone).toEqual([{ deviceId: id(3), reason: 'bye' }]);
    expect(knows(a, 2) && knows(b, 1)).toBe(true);
  });

  it('drops and counts a flood of 10^4 garbage and oversized datagrams from one socket; a real peer is still seen', async () => {
    const port = await freeUdpPort();
    const a = peer(1, port);
    await a.d.start();
    const errors: unknown[] = [];
    a.d.on('error', (e) => errors.push(e));
    const flooder = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => flooder.bind(0, '127.0.0.1', () => resolve()));
    flooder.setBroadcast(true);
    const packetLike = encodeDiscoveryPacket({ kind: 'ping', query: true, deviceId: id(66), tcpPort: 1, name: 'x' });
    const N = 10_000;
    const datagram = (i: number): Buffer => {
      switch (i % 4) {
        case 0:
          return Buffer.alloc(600 + (i % 9000), i); // oversized
        case 1:
          return packetLike; // valid-looking: must hit the per-source rate limit
        case 2:
          return Buffer.concat([packetLike, Buffer.alloc(10)]); // trailing bytes at 1.0: malformed
        default:
          return systemRandom.bytes(1 + (i % 200)); // noise
      }
    };
    // Sent in bursts of 50, yielding in between so this process (which is also
    // the receiver) drains its socket; otherwise the kernel drops most of it
    // before discovery ever sees it, which tests nothing.
    const floodStart = performance.now();
    const flood = (async () => {
      for (let i = 0; i < N; i += 50) {
        const burst = Array.from({ length: 50 }, (_, j) => datagram(i + j));
        await Promise.all(burst.map((data) => new Promise<void>((resolve) => flooder.send(data, port, LOOPBACK_BROADCAST, () => resolve()))));
        await new Promise((r) => setImmediate(r));
      }
      return performance.now() - floodStart;
    })();
    const b = peer(2, port);
    await b.d.start(); // starts while the flood is going on
    // A flood that overflows the socket's receive buffer can eat the first PONG; the
    // re-query (~1 s) or at worst the next announce brings the peers together.
    const budget = REQUERY_AFTER_MS * (1 + ANNOUNCE_JITTER) + ANNOUNCE_INTERVAL_MS * (1 + ANNOUNCE_JITTER);
    const ms = await waitFor(() => knows(a, 2) && knows(b, 1), budget, 'a and b to see each other during a flood');
    const floodMs = await flood;
    flooder.close();
    await new Promise((r) => setTimeout(r, 50)); // let the last datagrams arrive
    const c = a.d.counters;
    console.log(
      `[discovery] flood: ${N} datagrams in ${floodMs.toFixed(0)} ms; peers saw each other ${ms.toFixed(1)} ms after b started; counters ${JSON.stringify(c)}`,
    );
    expect(c.received).toBeGreaterThan(N / 10); // the kernel drops what overflows the receive buffer
    expect(c.oversized).toBeGreaterThan(c.received / 10);
    expect(c.floodDropped).toBeGreaterThan(c.received / 4);
    const dropped = c.oversized + c.floodDropped + c.newPeerLimited + c.malformed + c.nonLocalDropped + c.versionMismatch;
    expect(dropped + c.accepted + c.selfIgnored).toBe(c.received);
    // Only one bucket's worth of the flooder's datagrams got past the per-source limit.
    expect(c.accepted).toBeLessThan(100);
    expect(errors).toEqual([]);
    expect(a.d.running).toBe(true);
  });

  it('start() rejects with a typed error when the port is held exclusively', async () => {
    const holder = dgram.createSocket({ type: 'udp4', reuseAddr: false });
    await new Promise<void>((resolve) => holder.bind(0, '0.0.0.0', () => resolve()));
    const d = peer(1, holder.address().port).d;
    const err = await d.start().catch((e: unknown) => e);
    holder.close();
    expect(err).toBeInstanceOf(DiscoveryError);
    expect(err).toMatchObject({ code: 'ERR_DISCOVERY_BIND', errno: 'EADDRINUSE' });
  });

  it('three separate processes sharing the port each see the other two within 2 s; BYE removes one', async () => {
    const port = await freeUdpPort();
    const script = new URL('./fixtures/discovery-child.ts', import.meta.url);
    const procs = [1, 2, 3].map((n) => spawnTs(script, [String(port), String(n)]));
    children.push(...procs);
    const readyAt = (c: ChildPeer) => c.lines.find((l) => l.event === 'ready')?.at;
    await waitFor(() => procs.every((c) => readyAt(c) !== undefined), 20_000, `children to start: ${procs.map((c) => c.stderr.join('')).join('\n')}`);
    const firstSeen = (c: ChildPeer, n: number) => c.lines.find((l) => l.event === 'peer-seen' && l.deviceId === id(n));
    const allSee = () => procs.every((c, i) => [1, 2, 3].filter((n) => n !== i + 1).every((n) => firstSeen(c, n)));
    await waitFor(allSee, 2_000 + 500, 'all three to see the other two');
    // Latency per pair: from the later of the two starts to the first sighting.
    const latencies: number[] = [];
    procs.forEach((c, i) => {
      for (const n of [1, 2, 3].filter((m) => m !== i + 1)) {
        const seen = firstSeen(c, n)!;
        expect(seen).toMatchObject({ address: '127.0.0.1', port: 40_000 + n });
        latencies.push(seen.at - Math.max(readyAt(c)!, readyAt(procs[n - 1]!)!));
      }
    });
    console.log(`[discovery] 3 processes: pairwise discovery latency (ms after the later start) ${latencies.join(', ')}; max ${Math.max(...latencies)}`);
    expect(Math.max(...latencies)).toBeLessThan(2_000);

    // (c) BYE: child 3 leaves; the other two drop it at once.
    const leaver = procs[2]!;
    const stopAt = Date.now();
    leaver.proc.stdin.write('stop\n');
    expect(await leaver.exited).toBe(0);
    const gone = (c: ChildPeer) => c.lines.find((l) => l.event === 'peer-gone' && l.deviceId === id(3));
    await waitFor(() => gone(procs[0]!) !== undefined && gone(procs[1]!) !== undefined, 1_000, 'child 3 to be gone');
    expect(gone(procs[0]!)).toMatchObject({ reason: 'bye' });
    console.log(`[discovery] 3 processes: BYE seen ${Math.max(gone(procs[0]!)!.at, gone(procs[1]!)!.at) - stopAt} ms after "stop"`);
    const stopped = leaver.lines.find((l) => l.event === 'stopped') as { counters: { selfIgnored: number; byesSent: number } } | undefined;
    expect(stopped?.counters.selfIgnored).toBeGreaterThan(0);
    expect(stopped?.counters.byesSent).toBe(1);
    for (const c of procs.slice(0, 2)) {
      c.proc.stdin.end();
      expect(await c.exited).toBe(0);
    }
  });
});
