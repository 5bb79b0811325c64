/**
 * RelayClient against a real RelayServer on 127.0.0.1: trust on first use and
 * a pinned ID, a changed relay ID refused loudly, keepalives answered, deposit
 * → push → ack, re-registration after a relay restart (RAM mailbox lost; the
 * sender deposits again), address parsing.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { fixtureIdentity } from '../../../fixtures/identities/index.js';
import { systemClock, systemRandom } from '../../../src/core/clock.js';
import type { Identity } from '../../../src/core/identity.js';
import { parseRelayAddress } from '../../../src/core/relay-client/relay-address.js';
import { RelayClient, type RelayClientState, type RelayPins, type RelayPush } from '../../../src/core/relay-client/relay-client.js';
import type { DeviceId } from '../../../src/protocol/device-id.js';
import { openEnvelope, sealEnvelope } from '../../../src/protocol/relay/envelope.js';
import { RelayServer } from '../../../src/relay/relay-server.js';

const relayIdentity = fixtureIdentity(0);
const otherRelay = fixtureIdentity(5);
const alice = fixtureIdentity(1);
const bob = fixtureIdentity(2);

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function relay(identity = relayIdentity, port = 0) {
  const server = new RelayServer({ identity, host: '127.0.0.1', port, clock: systemClock });
  const bound = await server.start();
  cleanup.push(() => server.close());
  return { server, port: bound };
}

function memoryPins(): RelayPins & { map: Map<string, DeviceId> } {
  const map = new Map<string, DeviceId>();
  return { map, get: (k) => map.get(k), set: (k, v) => void map.set(k, v) };
}

function client(who: Identity, address: string, pins = memoryPins(), keepaliveMs?: number) {
  const pushes: RelayPush[] = [];
  const states: RelayClientState[] = [];
  const c = new RelayClient({
    address: parseRelayAddress(address),
    identity: who,
    clock: systemClock,
    random: systemRandom,
    pins,
    keepaliveMs,
    onPush: (p) => pushes.push(p),
    onState: (s) => states.push(s),
  });
  c.start();
  cleanup.push(() => c.stop());
  return { c, pushes, states, pins };
}

function seal(from: Identity, to: Identity, text: string, id: string): Buffer {
  return sealEnvelope({
    to: to.deviceId,
    from: from.deviceId,
    id,
    at: Date.now(),
    body: Buffer.from(text),
    recipientPublicKey: new X509Certificate(to.certPem).publicKey,
    senderPrivateKey: createPrivateKey(from.keyPem),
  });
}

describe('relay address', () => {
  it('parses host:port and host:port#DEVICE_ID, refuses junk with ERR_SETTING_INVALID', () => {
    expect(parseRelayAddress('relay.example.net:51516')).toEqual({ host: 'relay.example.net', port: 51516, deviceId: undefined, hostPort: 'relay.example.net:51516' });
    expect(parseRelayAddress(`[::1]:9#${alice.deviceId}`)).toMatchObject({ host: '::1', port: 9, deviceId: alice.deviceId, hostPort: '[::1]:9' });
    for (const bad of ['nohost', 'h:0', 'h:70000', 'h:1#NOTANID', ':5']) {
      expect(() => parseRelayAddress(bad)).toThrow(expect.objectContaining({ code: 'ERR_SETTING_INVALID' }));
    }
  });
});

describe('relay client', () => {
  it('pins on first use, registers, keeps alive, deposits, gets pushes, and ACKs', async () => {
    const { server, port } = await relay();
    const b = client(bob, `127.0.0.1:${port}`, memoryPins(), 300);
    await expect.poll(() => b.c.state.state).toBe('registered');
    expect(b.pins.map.get(`127.0.0.1:${port}`)).toBe(relayIdentity.deviceId);
    await expect.poll(() => (b.c.state as { lastKeepaliveAt: number | null }).lastKeepaliveAt, { timeout: 3000 }).not.toBeNull();

    const a = client(alice, `127.0.0.1:${port}#${relayIdentity.deviceId}`);
    await expect.poll(() => a.c.state.state).toBe('registered');
    const id = 'c0'.repeat(16);
    expect(await a.c.deposit(bob.deviceId, id, seal(alice, bob, 'via relay', id))).toEqual({ ok: true, where: 'pushed' });
    await expect.poll(() => b.pushes.length).toBe(1);
    const opened = openEnvelope(b.pushes[0]!.envelope, {
      self: bob.deviceId,
      recipientPrivateKey: createPrivateKey(bob.keyPem),
      senderPublicKey: (from) => (from === alice.deviceId ? new X509Certificate(alice.certPem).publicKey : undefined),
    });
    expect(opened.body.toString()).toBe('via relay');
    expect(await a.c.deposit(bob.deviceId, id, seal(alice, bob, 'again', id))).toEqual({ ok: true, where: 'duplicate' });
    b.c.ack([id]);
    await expect.poll(() => server.stats().heldEnvelopes).toBe(0);
  });

  it('refuses a relay whose device ID changed, loudly, and never registers', async () => {
    const { port } = await relay(otherRelay);
    const pins = memoryPins();
    pins.set(`127.0.0.1:${port}`, relayIdentity.deviceId);
    const a = client(alice, `127.0.0.1:${port}`, pins);
    await expect.poll(() => a.states.some((s) => 'reason' in s && /changed/.test(s.reason ?? ''))).toBe(true);
    expect(a.states.some((s) => s.state === 'registered')).toBe(false);
    expect(pins.map.get(`127.0.0.1:${port}`)).toBe(relayIdentity.deviceId);
  });

  it('re-registers after a relay restart; what was held is gone and the sender deposits again', async () => {
    const first = await relay();
    const port = first.port;
    const a = client(alice, `127.0.0.1:${port}`);
    await expect.poll(() => a.c.state.state).toBe('registered');
    const id = 'd1'.repeat(16);
    expect(await a.c.deposit(bob.deviceId, id, seal(alice, bob, 'held', id))).toEqual({ ok: true, where: 'held' });
    await first.server.close();
    await expect.poll(() => a.c.state.state).not.toBe('registered');
    expect(await a.c.deposit(bob.deviceId, id, seal(alice, bob, 'held', id))).toMatchObject({ ok: false, code: 'UNAVAILABLE' });
    const second = await relay(relayIdentity, port);
    await expect.poll(() => a.c.state.state, { timeout: 5000 }).toBe('registered');
    expect(second.server.stats().heldEnvelopes).toBe(0);
    expect(await a.c.deposit(bob.deviceId, id, seal(alice, bob, 'held', id))).toEqual({ ok: true, where: 'held' });
    const b = client(bob, `127.0.0.1:${port}`);
    await expect.poll(() => b.pushes.map((p) => p.id)).toEqual([id]);
  });

  it('shows unavailable after repeated failures, with the reason', async () => {
    const { port, server } = await relay();
    await server.close();
    const a = client(alice, `127.0.0.1:${port}`);
    await expect.poll(() => a.c.state.state, { timeout: 6000 }).toBe('unavailable');
    expect(a.c.state).toMatchObject({ failures: 3, reason: expect.stringContaining('cannot reach') });
  });
});
