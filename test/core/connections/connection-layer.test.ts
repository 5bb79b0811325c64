import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionLayer, type ConnectionEvents } from '../../../src/core/connections/connection-layer.js';
import { ServiceRegistry } from '../../../src/core/connections/service.js';
import { systemClock, systemRandom } from '../../../src/core/clock.js';
import type { DeviceId } from '../../../src/protocol/device-id.js';
import type { Message } from '../../../src/protocol/messages/index.js';
import { testIdentity } from '../../helpers/certs.js';
import { MemoryEngineStore } from '../../helpers/memory-engine-store.js';

const layers: ConnectionLayer[] = [];
afterEach(async () => {
  for (const l of layers) l.beginStop();
  await Promise.all(layers.splice(0).map((l) => l.close()));
});

/** A connection layer on 127.0.0.1:0 whose sessions feed a service registry, as the engine wires it. */
function layer(who: 'alice' | 'bob') {
  const id = testIdentity(who);
  const pins = new MemoryEngineStore();
  const registry = new ServiceRegistry();
  const log: string[] = [];
  const events: ConnectionEvents = {
    listening: () => {},
    discovered: () => {},
    left: () => {},
    certChanged: () => {},
    notice: () => {},
    sessionUp: (peer) => {
      log.push('up');
      registry.peerOnline(peer);
    },
    sessionDown: (peer) => {
      log.push('down');
      registry.peerOffline(peer);
    },
    message: (peer, m, reply) => {
      if (!registry.route(peer, m, reply)) log.push(`unrouted ${m.type}`);
    },
    changed: () => {},
    error: (err) => log.push(`error ${String(err)}`),
  };
  const l = new ConnectionLayer({
    selfId: id.deviceId,
    identity: id,
    name: () => who,
    listen: { host: '127.0.0.1', port: 0 },
    discovery: null,
    staticPeers: [],
    clock: systemClock,
    random: systemRandom,
    pins,
    events,
  });
  layers.push(l);
  return { l, id, pins, registry, log };
}

function until(pred: () => boolean, ms = 5_000): Promise<void> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => (pred() ? resolve() : Date.now() - t0 > ms ? reject(new Error('timed out')) : setTimeout(tick, 10));
    tick();
  });
}

describe('connection layer', () => {
  it('brings up one session when a pinned peer is wanted; services hear it, own their messages and reply on the same session', async () => {
    const a = layer('alice');
    const b = layer('bob');
    await a.l.start();
    await b.l.start();
    b.pins.putPin({ deviceId: a.id.deviceId, name: 'alice', pinnedAt: 1, policy: 'ask' });
    a.pins.putPin({ deviceId: b.id.deviceId, name: 'bob', pinnedAt: 1, policy: 'ask', address: `127.0.0.1:${b.l.port}` });

    const online: string[] = [];
    const atBob: Message[] = [];
    const atAlice: Message[] = [];
    b.registry.register({
      name: 'chat',
      messageTypes: ['CHAT'],
      onMessage: (peer, m, session) => {
        atBob.push(m);
        if (m.type === 'CHAT') session.reply({ type: 'CHAT_ACK', id: m.id });
      },
      peerOnline: (peer: DeviceId) => online.push(`bob sees ${peer === a.id.deviceId ? 'alice' : peer}`),
    });
    a.registry.register({ name: 'chat', messageTypes: ['CHAT_ACK'], onMessage: (_p, m) => atAlice.push(m) });

    expect(a.l.send(b.id.deviceId, { type: 'CHAT', id: 'm0', text: 'too early', at: 1 })).toBe(false);
    a.l.want(b.id.deviceId, 0);
    await until(() => a.l.isOnline(b.id.deviceId) && b.l.isOnline(a.id.deviceId));
    expect(online).toEqual(['bob sees alice']);
    expect(a.l.views().find((v) => v.deviceId === b.id.deviceId)?.state).toBe('online');

    expect(a.l.send(b.id.deviceId, { type: 'CHAT', id: 'm1', text: 'hello', at: 2 })).toBe(true);
    await until(() => atAlice.length === 1);
    expect(atBob).toEqual([{ type: 'CHAT', id: 'm1', text: 'hello', at: 2 }]);
    expect(atAlice).toEqual([{ type: 'CHAT_ACK', id: 'm1' }]);
    // CHAT_ACK has no owner at bob, CHAT none at alice: nothing went astray.
    expect(a.log.filter((x) => x.startsWith('unrouted'))).toEqual([]);
    expect(b.log.filter((x) => x.startsWith('unrouted'))).toEqual([]);
  });

  it('tells services the peer went offline when its session ends, and redials nobody once trust is gone', async () => {
    const a = layer('alice');
    const b = layer('bob');
    await a.l.start();
    await b.l.start();
    b.pins.putPin({ deviceId: a.id.deviceId, name: 'alice', pinnedAt: 1, policy: 'ask' });
    a.pins.putPin({ deviceId: b.id.deviceId, name: 'bob', pinnedAt: 1, policy: 'ask', address: `127.0.0.1:${b.l.port}` });
    const offline: DeviceId[] = [];
    a.registry.register({ name: 'transfers', messageTypes: [], peerOffline: (p) => offline.push(p) });
    a.l.want(b.id.deviceId, 0);
    await until(() => a.l.isOnline(b.id.deviceId) && b.l.isOnline(a.id.deviceId));

    b.pins.removePin(a.id.deviceId);
    b.l.disconnect(a.id.deviceId, 'ERR_NOT_PINNED', 'trust removed');
    await until(() => offline.length === 1);
    expect(offline).toEqual([b.id.deviceId]);
    expect(a.l.isOnline(b.id.deviceId)).toBe(false);
    expect(b.log).toEqual(['up', 'down']);
    // Bob said BYE, so alice does not redial; had she tried, bob's listener would refuse her.
    await new Promise((r) => setTimeout(r, 1_200));
    expect(b.l.isOnline(a.id.deviceId)).toBe(false);
    expect(b.log).toEqual(['up', 'down']);
  });
});
