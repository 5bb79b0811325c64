/**
 * The relay server over real mutual TLS on 127.0.0.1: registration from the
 * handshake, push to a registered recipient, hold + deliver at the next
 * registration, delete on ACK, last registration wins, typed refusals
 * (allow list, quota, too large, bad envelope, rate) that leave other clients
 * served, TTL expiry with a manual clock, no plaintext in what it holds.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { fixtureIdentity } from '../../fixtures/identities/index.js';
import { ManualClock, systemClock, type Clock } from '../../src/core/clock.js';
import type { Identity } from '../../src/core/identity.js';
import { RelayChannel } from '../../src/core/relay-wire/relay-channel.js';
import { dialTls } from '../../src/core/tls/tls-dialer.js';
import { ALPN_RELAY, ALPN_SESSION } from '../../src/core/tls/tls-options.js';
import { sealEnvelope } from '../../src/protocol/relay/envelope.js';
import type { RelayMessage } from '../../src/protocol/relay/relay-messages.js';
import type { RelayEvent } from '../../src/relay/relay-events.js';
import type { RelayLimits } from '../../src/relay/relay-limits.js';
import { RelayServer } from '../../src/relay/relay-server.js';
import type { DeviceId } from '../../src/protocol/device-id.js';

const relayId = fixtureIdentity(0);
const alice = fixtureIdentity(1);
const bob = fixtureIdentity(2);
const carol = fixtureIdentity(3);

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function startRelay(opts: { limits?: Partial<RelayLimits>; allow?: DeviceId[]; clock?: Clock } = {}) {
  const events: RelayEvent[] = [];
  const server = new RelayServer({
    identity: relayId,
    host: '127.0.0.1',
    port: 0,
    clock: opts.clock ?? systemClock,
    limits: opts.limits,
    allow: opts.allow ? new Set(opts.allow) : undefined,
  });
  server.on('event', (e) => events.push(e));
  const port = await server.start();
  open.push(server);
  return { server, port, events };
}

interface TestClient {
  readonly msgs: RelayMessage[];
  readonly channel: RelayChannel;
  closed: Promise<void>;
  next(type: RelayMessage['type'], count?: number): Promise<RelayMessage[]>;
}

async function connect(port: number, who: Identity): Promise<TestClient> {
  const socket = await dialTls({
    host: '127.0.0.1',
    port,
    certPem: who.certPem,
    keyPem: who.keyPem,
    alpn: ALPN_RELAY,
    expectedDeviceId: relayId.deviceId,
    clock: systemClock,
  });
  const msgs: RelayMessage[] = [];
  const waiters: Array<() => void> = [];
  let onClosed!: () => void;
  const closed = new Promise<void>((r) => (onClosed = r));
  const channel = new RelayChannel(socket, {
    onMessage: (m) => {
      msgs.push(m);
      for (const w of waiters.splice(0)) w();
    },
    onClose: () => onClosed(),
  });
  open.push({ close: () => socket.close() });
  const next = async (type: RelayMessage['type'], count = 1): Promise<RelayMessage[]> => {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const got = msgs.filter((m) => m.type === type);
      if (got.length >= count) return got;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} × ${type}; got ${JSON.stringify(msgs.map((m) => m.type))}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 50);
      });
    }
  };
  return { msgs, channel, closed, next };
}

let seq = 0;
function envelope(from: Identity, to: Identity, body: Buffer = Buffer.from('hello'), id?: string) {
  const envId = id ?? (++seq).toString(16).padStart(32, '0');
  const bytes = sealEnvelope({
    to: to.deviceId,
    from: from.deviceId,
    id: envId,
    at: Date.now(),
    body,
    recipientPublicKey: new X509Certificate(to.certPem).publicKey,
    senderPrivateKey: createPrivateKey(from.keyPem),
  });
  return { type: 'RELAY_DEPOSIT' as const, to: to.deviceId, id: envId, envelope: bytes.toString('base64') };
}

describe('relay server', () => {
  it('registers from the TLS certificate, answers keepalives, pushes to a registered recipient, deletes on ACK', async () => {
    const { server, port, events } = await startRelay();
    const b = await connect(port, bob);
    const [ok] = await b.next('RELAY_OK');
    expect(ok).toMatchObject({ v: 1, pingMs: 60_000, held: 0, limits: { maxQueueEnvelopes: 1000 } });
    b.channel.send({ type: 'RELAY_KEEPALIVE', n: 9 });
    expect(await b.next('RELAY_KEEPALIVE_ACK')).toEqual([{ type: 'RELAY_KEEPALIVE_ACK', n: 9 }]);

    const a = await connect(port, alice);
    await a.next('RELAY_OK');
    const dep = envelope(alice, bob);
    a.channel.send(dep);
    expect((await a.next('RELAY_STORED'))[0]).toEqual({ type: 'RELAY_STORED', id: dep.id, to: bob.deviceId, where: 'pushed' });
    const [push] = await b.next('RELAY_PUSH');
    expect(push).toMatchObject({ id: dep.id, from: alice.deviceId, envelope: dep.envelope });
    expect(server.stats()).toMatchObject({ clients: 2, heldEnvelopes: 1 });
    b.channel.send({ type: 'RELAY_ACK', ids: [dep.id] });
    await expect.poll(() => server.stats().heldEnvelopes).toBe(0);
    expect(events.map((e) => e.type)).toEqual(['registered', 'registered', 'deposit', 'pushed', 'acked']);
    // Events carry IDs, sizes and times only.
    expect(JSON.stringify(events)).not.toContain(dep.envelope.slice(0, 40));
  });

  it('holds for an absent recipient and delivers at its next registration; un-ACKed mail is pushed again on a new connection', async () => {
    const { server, port } = await startRelay();
    const a = await connect(port, alice);
    await a.next('RELAY_OK');
    const d1 = envelope(alice, bob);
    const d2 = envelope(alice, bob);
    a.channel.send(d1);
    a.channel.send(d2);
    const stored = await a.next('RELAY_STORED', 2);
    expect(stored.map((s) => (s as { where: string }).where)).toEqual(['held', 'held']);

    const b1 = await connect(port, bob);
    expect((await b1.next('RELAY_OK'))[0]).toMatchObject({ held: 2 });
    expect((await b1.next('RELAY_PUSH', 2)).map((p) => (p as { id: string }).id)).toEqual([d1.id, d2.id]);
    b1.channel.send({ type: 'RELAY_ACK', ids: [d1.id] });
    await expect.poll(() => server.stats().heldEnvelopes).toBe(1);
    b1.channel.socket.close();
    await b1.closed;

    const b2 = await connect(port, bob);
    expect((await b2.next('RELAY_PUSH')).map((p) => (p as { id: string }).id)).toEqual([d2.id]);
    // FETCH re-sends what is still un-ACKed on this connection.
    b2.channel.send({ type: 'RELAY_FETCH' });
    await b2.next('RELAY_PUSH', 2);
  });

  it('lets the last registration of a device ID win', async () => {
    const { server, port, events } = await startRelay();
    const first = await connect(port, bob);
    await first.next('RELAY_OK');
    const second = await connect(port, bob);
    await second.next('RELAY_OK');
    expect((await first.next('RELAY_REFUSED'))[0]).toMatchObject({ code: 'REPLACED' });
    await first.closed;
    expect(server.stats().clients).toBe(1);
    const a = await connect(port, alice);
    await a.next('RELAY_OK');
    a.channel.send(envelope(alice, bob));
    await second.next('RELAY_PUSH');
    expect(events.filter((e) => e.type === 'left')).toEqual([]); // the replaced socket is not a "left"
  });

  it('refuses a client not on --allow before it can deposit, and deposits for a recipient not on it', async () => {
    const { server, port, events } = await startRelay({ allow: [alice.deviceId, bob.deviceId] });
    const c = await connect(port, carol);
    expect((await c.next('RELAY_REFUSED'))[0]).toMatchObject({ code: 'NOT_ALLOWED' });
    c.channel.send(envelope(carol, bob)); // ignored: the connection is closing
    await c.closed;
    expect(c.msgs.some((m) => m.type === 'RELAY_OK')).toBe(false);
    expect(server.stats()).toMatchObject({ clients: 0, heldEnvelopes: 0 });
    const a = await connect(port, alice);
    await a.next('RELAY_OK');
    a.channel.send(envelope(alice, carol));
    expect((await a.next('RELAY_REFUSED'))[0]).toMatchObject({ code: 'NOT_ALLOWED' });
    expect(events.filter((e) => e.type === 'refused').map((e) => (e as { code: string }).code)).toEqual(['NOT_ALLOWED', 'NOT_ALLOWED']);
  });

  it('bounds a mailbox flood with QUOTA and keeps serving another client', async () => {
    const { server, port } = await startRelay({ limits: { maxQueueEnvelopes: 3, depositsPerMinute: 1000 } });
    const a = await connect(port, alice);
    await a.next('RELAY_OK');
    for (let i = 0; i < 5; i++) a.channel.send(envelope(alice, bob));
    const refused = await a.next('RELAY_REFUSED', 2);
    expect(refused.map((r) => (r as { code: string }).code)).toEqual(['QUOTA', 'QUOTA']);
    expect((await a.next('RELAY_STORED', 3)).length).toBe(3);
    expect(server.stats().heldEnvelopes).toBe(3);
    // Carol's mailbox is separate: her deposit for Alice still goes through.
    const c = await connect(port, carol);
    await c.next('RELAY_OK');
    c.channel.send(envelope(carol, alice));
    expect((await c.next('RELAY_STORED'))[0]).toMatchObject({ where: 'pushed' });
    await a.next('RELAY_PUSH');
  });

  it('refuses by rate, size, and an envelope naming another sender, recipient or id', async () => {
    const { port } = await startRelay({ limits: { depositsPerMinute: 2, maxEnvelopeBytes: 2000 } });
    const a = await connect(port, alice);
    await a.next('RELAY_OK');
    a.channel.send(envelope(alice, bob, Buffer.alloc(3000)));
    expect((await a.next('RELAY_REFUSED', 1))[0]).toMatchObject({ code: 'TOO_LARGE' });
    const forged = envelope(carol, bob); // sealed in Carol's name, deposited by Alice
    a.channel.send(forged);
    const wrongTo = envelope(alice, bob);
    a.channel.send({ ...wrongTo, to: carol.deviceId });
    a.channel.send({ ...envelope(alice, bob), envelope: Buffer.from('junk').toString('base64') });
    a.channel.send(envelope(alice, bob));
    a.channel.send(envelope(alice, bob));
    a.channel.send(envelope(alice, bob));
    const codes = (await a.next('RELAY_REFUSED', 5)).map((r) => (r as { code: string }).code);
    expect(codes).toEqual(['TOO_LARGE', 'BAD_ENVELOPE', 'BAD_ENVELOPE', 'BAD_ENVELOPE', 'RATE']);
    expect((await a.next('RELAY_STORED', 2)).length).toBe(2);
  });

  it('refuses a duplicate id as DUPLICATE and keeps one copy', async () => {
    const { server, port } = await startRelay();
    const a = await connect(port, alice);
    await a.next('RELAY_OK');
    const d = envelope(alice, bob, Buffer.from('x'), 'ab'.repeat(16));
    a.channel.send(d);
    a.channel.send(envelope(alice, bob, Buffer.from('x'), 'ab'.repeat(16)));
    expect((await a.next('RELAY_REFUSED'))[0]).toMatchObject({ code: 'DUPLICATE', id: d.id });
    expect(server.stats().heldEnvelopes).toBe(1);
  });

  it('is not reachable on a peer ALPN', async () => {
    const { port } = await startRelay();
    await expect(
      dialTls({ host: '127.0.0.1', port, certPem: alice.certPem, keyPem: alice.keyPem, alpn: ALPN_SESSION, clock: systemClock }),
    ).rejects.toMatchObject({ code: expect.stringMatching(/^ERR_/) });
  });

  it('holds no plaintext canary', async () => {
    const { server, port } = await startRelay();
    const a = await connect(port, alice);
    await a.next('RELAY_OK');
    const canary = Buffer.from('CANARY-relay-4411-plaintext');
    a.channel.send(envelope(alice, bob, canary));
    await a.next('RELAY_STORED');
    const held = server.mailbox.allBytes();
    expect(held).toHaveLength(1);
    expect(held.some((b) => b.includes(canary))).toBe(false);
  });
});

describe('relay mailbox expiry', () => {
  it('expires held envelopes after the TTL, at the next sweep', async () => {
    const { Mailbox } = await import('../../src/relay/mailbox.js');
    const clock = new ManualClock();
    clock.advance(1_000);
    const m = new Mailbox({ maxQueueEnvelopes: 10, maxQueueBytes: 1e6, maxTotalBytes: 1e6, ttlMs: 5_000 });
    expect(m.deposit({ id: 'a'.repeat(32), to: bob.deviceId, from: alice.deviceId, at: 0, bytes: Buffer.alloc(10) }, clock.now())).toEqual({ ok: true });
    clock.advance(4_999);
    expect(m.sweep(clock.now())).toEqual([]);
    clock.advance(1);
    expect(m.sweep(clock.now()).map((e) => e.id)).toEqual(['a'.repeat(32)]);
    expect(m.heldBytes).toBe(0);
    expect(m.deposit({ id: 'b'.repeat(32), to: bob.deviceId, from: alice.deviceId, at: 0, bytes: Buffer.alloc(2e6) }, clock.now())).toMatchObject({ code: 'QUOTA' });
  });
});
