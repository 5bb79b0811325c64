/** Discovery service logic on an in-memory network and a manual clock (no sockets, no sleeping). */
import { describe, expect, it } from 'vitest';
import { ManualClock, seededRandom } from '../../../src/core/clock.js';
import {
  ANNOUNCE_INTERVAL_MS,
  ANNOUNCE_JITTER,
  FORGET_AFTER_MS,
  INBOUND_PER_SOURCE,
  PONG_DELAY_MAX_MS,
  PONG_DELAY_MIN_MS,
  REQUERY_AFTER_MS,
  STALE_AFTER_MS,
} from '../../../src/core/discovery/constants.js';
import { Discovery, type DiscoveryOptions } from '../../../src/core/discovery/discovery.js';
import { DiscoveryError } from '../../../src/core/discovery/errors.js';
import type { DiscoveryEvents } from '../../../src/core/discovery/events.js';
import type { InterfaceMap } from '../../../src/core/discovery/local-networks.js';
import { deviceIdFromBytes, type DeviceId } from '../../../src/protocol/device-id.js';
import { decodeDiscoveryPacket, encodeDiscoveryPacket, MAX_PACKET_BYTES } from '../../../src/protocol/discovery-packet.js';
import { FakeNetwork, type FakeUdpSocket } from './fake-udp.js';

const PORT = 51515;
const id = (n: number): DeviceId => deviceIdFromBytes(Buffer.alloc(32, n));
const lan: InterfaceMap = {
  lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', internal: true }],
  eth0: [{ address: '192.168.1.10', netmask: '255.255.255.0', family: 'IPv4', internal: false }],
};

type Recorded = { [K in keyof DiscoveryEvents]: DiscoveryEvents[K][] };

function setup() {
  const clock = new ManualClock();
  const net = new FakeNetwork();
  let seed = 1;
  const make = (n: number, address: string, extra: Partial<DiscoveryOptions> = {}) => {
    const socket = net.socket(address);
    const d = new Discovery({
      selfId: id(n),
      name: `peer ${n}`,
      tcpPort: 40_000 + n,
      discoveryPort: PORT,
      clock,
      random: seededRandom(seed++),
      interfaces: () => lan,
      createSocket: () => socket,
      ...extra,
    });
    const events: Recorded = { 'peer-seen': [], 'peer-stale': [], 'peer-gone': [], 'duplicate-identity': [], error: [] };
    for (const name of Object.keys(events) as (keyof DiscoveryEvents)[]) {
      d.on(name, (e) => (events[name] as unknown[]).push(e));
    }
    return { d, socket, events };
  };
  const inject = (data: Uint8Array, address: string, port = PORT) => net.deliver(data, PORT, { address, port });
  return { clock, net, make, inject };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));
const kinds = (s: FakeUdpSocket) => s.sent.map((x) => decodeDiscoveryPacket(x.data)).map((p) => (p.kind === 'ping' && p.query ? 'query' : p.kind));

describe('Discovery (fake network, manual clock)', () => {
  it('announces at start, re-queries after about a second, then every interval ± jitter', async () => {
    const { clock, make } = setup();
    const { d, socket } = make(1, '192.168.1.10');
    await d.start();
    expect(kinds(socket)).toEqual(['query', 'query']); // 255.255.255.255 and 192.168.1.255
    expect(socket.sent.map((s) => s.address)).toEqual(['255.255.255.255', '192.168.1.255']);
    expect(socket.sent.every((s) => s.port === PORT)).toBe(true);
    clock.advance(REQUERY_AFTER_MS * (1 + ANNOUNCE_JITTER));
    expect(kinds(socket).filter((k) => k === 'query')).toHaveLength(4);

    const times: number[] = [];
    let seen = socket.sent.length;
    while (clock.now() < 120_000) {
      clock.advance(10);
      if (socket.sent.length === seen) continue;
      const fresh = socket.sent.slice(seen).map((x) => decodeDiscoveryPacket(x.data));
      seen = socket.sent.length;
      expect(fresh.map((p) => p.kind === 'ping' && !p.query)).toEqual([true, true]); // one announce, both targets
      times.push(clock.now());
    }
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(gaps.length).toBeGreaterThan(15);
    for (const g of gaps) {
      expect(g).toBeGreaterThanOrEqual(ANNOUNCE_INTERVAL_MS * (1 - ANNOUNCE_JITTER) - 10);
      expect(g).toBeLessThanOrEqual(ANNOUNCE_INTERVAL_MS * (1 + ANNOUNCE_JITTER) + 10);
    }
    expect(new Set(gaps).size).toBeGreaterThan(3); // jittered, not lockstep
    await d.stop();
  });

  it('two peers see each other, reporting the source address and the announced TCP port', async () => {
    const { clock, make } = setup();
    const a = make(1, '192.168.1.10');
    const b = make(2, '192.168.1.20');
    await a.d.start();
    await b.d.start(); // b's query reaches a; a answers with a PONG
    expect(a.events['peer-seen'][0]).toMatchObject({ deviceId: id(2), address: '192.168.1.20', port: 40_002, firstTime: true, via: 'ping' });
    expect(b.events['peer-seen']).toEqual([]);
    clock.advance(PONG_DELAY_MAX_MS);
    expect(b.events['peer-seen'][0]).toMatchObject({ deviceId: id(1), name: 'peer 1', address: '192.168.1.10', port: 40_001, firstTime: true, via: 'pong' });
    expect(a.d.peers().map((p) => p.deviceId)).toEqual([id(2)]);
    expect(b.d.peers().map((p) => p.deviceId)).toEqual([id(1)]);
    expect(a.d.counters.selfIgnored).toBeGreaterThan(0);
  });

  it('answers a query once after a short random delay; queries meanwhile share that PONG', async () => {
    const { clock, make, inject } = setup();
    const { d, socket } = make(1, '192.168.1.10', { broadcast: ['192.168.1.255'] });
    await d.start();
    clock.advance(REQUERY_AFTER_MS * 2);
    socket.sent.length = 0;
    const query = (n: number) => encodeDiscoveryPacket({ kind: 'ping', query: true, deviceId: id(n), tcpPort: 1, name: '' });
    inject(query(2), '192.168.1.2');
    inject(query(3), '192.168.1.3');
    inject(query(4), '192.168.1.4');
    clock.advance(PONG_DELAY_MIN_MS - 1);
    expect(kinds(socket)).toEqual([]);
    clock.advance(PONG_DELAY_MAX_MS - PONG_DELAY_MIN_MS + 1);
    expect(kinds(socket)).toEqual(['pong']);
    expect(socket.sent[0]?.address).toBe('192.168.1.255'); // broadcast, so every process on that host hears it
    // A plain announce is not answered.
    inject(encodeDiscoveryPacket({ kind: 'ping', query: false, deviceId: id(5), tcpPort: 1, name: '' }), '192.168.1.5');
    clock.advance(PONG_DELAY_MAX_MS);
    expect(kinds(socket)).toEqual(['pong']);
    expect(d.peers()).toHaveLength(4);
  });

  it('limits replies to a source that keeps querying', async () => {
    const { clock, make, inject } = setup();
    const { d, socket } = make(1, '192.168.1.10', { broadcast: ['192.168.1.255'] });
    await d.start();
    socket.sent.length = 0;
    const query = encodeDiscoveryPacket({ kind: 'ping', query: true, deviceId: id(9), tcpPort: 1, name: '' });
    for (let i = 0; i < 100; i++) {
      inject(query, '192.168.1.9');
      clock.advance(PONG_DELAY_MAX_MS + 1);
    }
    const pongs = kinds(socket).filter((k) => k === 'pong').length;
    expect(pongs).toBeGreaterThanOrEqual(3);
    expect(pongs).toBeLessThanOrEqual(3 + Math.ceil((100 * (PONG_DELAY_MAX_MS + 1)) / 2000) + 1);
    expect(d.counters.replyLimited).toBeGreaterThan(50);
  });

  it('marks a silent peer stale, revives it, and forgets it much later', async () => {
    const { clock, make } = setup();
    const a = make(1, '192.168.1.10');
    const b = make(2, '192.168.1.20');
    await a.d.start();
    await b.d.start();
    b.socket.closed = true; // b goes silent without a BYE (crash, cable pulled)
    clock.advance(STALE_AFTER_MS + 1_000);
    expect(a.events['peer-stale'].map((e) => e.deviceId)).toEqual([id(2)]);
    expect(a.d.peers()[0]?.stale).toBe(true);
    b.socket.closed = false;
    b.d.query(); // arrives twice: via 255.255.255.255 and via 192.168.1.255
    expect(a.events['peer-seen'].filter((e) => e.wasStale)).toMatchObject([{ deviceId: id(2), firstTime: false }]);
    expect(a.d.peers()[0]?.stale).toBe(false);
    b.socket.closed = true;
    clock.advance(FORGET_AFTER_MS + 1_000);
    expect(a.events['peer-gone']).toEqual([{ deviceId: id(2), reason: 'expired' }]);
    expect(a.d.peers()).toEqual([]);
  });

  it('BYE removes a peer at once; a BYE from another address is ignored', async () => {
    const { clock, make, inject } = setup();
    const a = make(1, '192.168.1.10');
    const b = make(2, '192.168.1.20');
    await a.d.start();
    await b.d.start();
    clock.advance(1_000);
    inject(encodeDiscoveryPacket({ kind: 'bye', deviceId: id(2), tcpPort: 1, name: '' }), '192.168.1.66');
    expect(a.events['peer-gone']).toEqual([]);
    await b.d.stop();
    expect(kinds(b.socket).at(-1)).toBe('bye');
    expect(b.socket.closed).toBe(true);
    expect(a.events['peer-gone']).toEqual([{ deviceId: id(2), reason: 'bye' }]);
    expect(a.d.peers()).toEqual([]);
    expect(b.d.peers()).toEqual([]);
  });

  it('ignores its own packets, and warns when its device ID comes from a foreign address', async () => {
    const { make, inject } = setup();
    const { d, events } = make(1, '192.168.1.10');
    await d.start();
    expect(d.counters.selfIgnored).toBe(2); // its own two broadcasts came back
    expect(events['duplicate-identity']).toEqual([]);
    inject(encodeDiscoveryPacket({ kind: 'ping', query: false, deviceId: id(1), tcpPort: 1, name: 'clone' }), '192.168.1.99', 5);
    expect(events['duplicate-identity']).toEqual([{ address: '192.168.1.99', port: 5 }]);
    expect(d.peers()).toEqual([]);
  });

  it('drops non-local, oversized, malformed and flooding datagrams, and counts each', async () => {
    const { make, inject } = setup();
    const { d, events } = make(1, '192.168.1.10', { broadcast: [] });
    await d.start();
    const good = (n: number) => encodeDiscoveryPacket({ kind: 'ping', query: false, deviceId: id(n), tcpPort: 1, name: '' });
    inject(good(2), '10.1.1.1'); // routed from elsewhere
    inject(Buffer.alloc(MAX_PACKET_BYTES + 1), '192.168.1.2');
    inject(Buffer.from('hello'), '192.168.1.2');
    const v2 = Buffer.from(good(2));
    v2[4] = 2;
    inject(v2, '192.168.1.2');
    for (let i = 0; i < 1_000; i++) inject(Buffer.from([i & 255]), '192.168.1.3', 7);
    inject(good(4), '192.168.1.3', 8); // same host, another socket: the same (per-address) bucket
    inject(good(3), '192.168.1.4', 7); // another host: its own bucket
    const c = d.counters;
    expect(c).toMatchObject({ received: 1_006, nonLocalDropped: 1, oversized: 1, versionMismatch: 1, accepted: 1 });
    expect(c.malformed).toBe(1 + INBOUND_PER_SOURCE.capacity);
    expect(c.floodDropped).toBe(1_000 - INBOUND_PER_SOURCE.capacity + 1);
    expect(events['peer-seen'].map((e) => e.deviceId)).toEqual([id(3)]);
  });

  it('counts send errors and socket errors and keeps going', async () => {
    const { clock, make } = setup();
    const { d, socket, events } = make(1, '192.168.1.10');
    socket.failSends.set('255.255.255.255', 'ENETUNREACH');
    await d.start();
    socket.fail('EIO');
    clock.advance(ANNOUNCE_INTERVAL_MS * 2);
    await flush(); // send failures are counted when the send promise settles
    expect(d.counters.sendErrors).toBeGreaterThanOrEqual(3);
    expect(d.counters.socketErrors).toBe(1);
    expect(events.error[0]).toMatchObject({ during: 'send', errno: 'ENETUNREACH', target: '255.255.255.255' });
    expect(events.error.some((e) => e.during === 'socket' && e.errno === 'EIO')).toBe(true);
    expect(socket.sent.filter((s) => s.address === '192.168.1.255').length).toBeGreaterThanOrEqual(3);
    expect(d.running).toBe(true);
  });

  it('survives an interface listing that throws, keeping the last good one', async () => {
    const { clock, make } = setup();
    let calls = 0;
    const { d, socket, events } = make(1, '192.168.1.10', {
      interfaces: () => {
        if (++calls > 1) throw new Error('uv_interface_addresses failed');
        return lan;
      },
    });
    await d.start();
    clock.advance(ANNOUNCE_INTERVAL_MS * 2);
    expect(events.error.some((e) => e.during === 'interfaces')).toBe(true);
    expect(socket.sent.at(-1)?.address).toBe('192.168.1.255');
  });

  it('a failed bind is a typed error, and start can be tried again', async () => {
    const { make } = setup();
    const { d, socket } = make(1, '192.168.1.10');
    socket.bindErrno = 'EADDRINUSE';
    const err = await d.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiscoveryError);
    expect(err).toMatchObject({ code: 'ERR_DISCOVERY_BIND', errno: 'EADDRINUSE', kind: 'local' });
    socket.bindErrno = undefined;
    socket.closed = false;
    await d.start();
    expect(d.running).toBe(true);
  });

  it('stop is idempotent; a stopped instance cannot start again; input after stop is ignored', async () => {
    const { make, inject } = setup();
    const { d } = make(1, '192.168.1.10');
    await d.stop(); // never started
    await expect(d.start()).rejects.toMatchObject({ code: 'ERR_DISCOVERY_STATE' });
    const e = make(2, '192.168.1.20');
    await e.d.start();
    await Promise.all([e.d.stop(), e.d.stop()]);
    inject(encodeDiscoveryPacket({ kind: 'ping', query: true, deviceId: id(3), tcpPort: 1, name: '' }), '192.168.1.3');
    expect(e.d.peers()).toEqual([]);
    expect(e.d.counters.byesSent).toBe(1);
  });

  it('stop while start is binding still ends stopped', async () => {
    const { make } = setup();
    const { d, socket } = make(1, '192.168.1.10');
    const started = d.start();
    const stopped = d.stop();
    await Promise.all([started, stopped]);
    expect(d.running).toBe(false);
    expect(socket.closed).toBe(true);
  });

  it('validates options and clamps a long name', async () => {
    const { make } = setup();
    expect(() => make(1, '192.168.1.10', { tcpPort: 0 })).toThrow(DiscoveryError);
    expect(() => make(1, '192.168.1.10', { discoveryPort: 70_000 })).toThrow(/discovery port/);
    expect(() => make(1, '192.168.1.10', { broadcast: ['ff02::1'] })).toThrow(/not an IPv4/);
    const { d, socket } = make(1, '192.168.1.10', { name: 'x'.repeat(500) });
    await d.start();
    expect(decodeDiscoveryPacket(socket.sent[0]!.data).name).toBe('x'.repeat(64));
  });
});
