import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/core/engine/engine.js';
import { testIdentity } from '../../helpers/certs.js';
import { MemoryEngineStore, tempDownloads } from '../../helpers/memory-engine-store.js';
import { nextEvent } from '../../helpers/engine-events.js';
import { startFaultProxy } from '../../helpers/tcp-fault-proxy.js';

const engines: Engine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.shutdown()));
});

function engine(name: 'alice' | 'bob' | 'carol', store = new MemoryEngineStore(), staticPeers: { host: string; port: number }[] = []) {
  const id = testIdentity(name);
  const e = new Engine({
    identity: id,
    store,
    name,
    listen: { host: '127.0.0.1', port: 0 },
    discovery: null,
    staticPeers,
    downloadsDir: tempDownloads(),
  });
  engines.push(e);
  return { e, store, id };
}

const next = nextEvent;

async function pairUp(a: Engine, b: Engine) {
  const reqA = next(a, 'pair-request');
  const reqB = next(b, 'pair-request');
  await a.pairAddress('127.0.0.1', b.port);
  const [ra, rb] = await Promise.all([reqA, reqB]);
  expect(ra.code).toMatch(/^\d{6}$/);
  expect(rb.code).toBe(ra.code);
  const pairedA = next(a, 'paired');
  const pairedB = next(b, 'paired');
  a.answerPairing(ra.pairingId, true);
  b.answerPairing(rb.pairingId, true, rb.code);
  await Promise.all([pairedA, pairedB]);
}

describe('engine: pairing, sessions and chat over real TLS on loopback', () => {
  it('pairs when both confirm the same code, then comes online and chats exactly once', async () => {
    const { e: a, id: ida } = engine('alice');
    const { e: b, id: idb } = engine('bob');
    await a.start();
    await b.start();
    const onlineA = next(a, 'peer-online');
    await pairUp(a, b);
    expect(a.trustList().map((p) => p.deviceId)).toEqual([idb.deviceId]);
    expect(b.trustList().map((p) => p.deviceId)).toEqual([ida.deviceId]);
    expect(b.trustList()[0]!.name).toBe('alice');
    await onlineA;
    const got = next(b, 'chat-received');
    const { id } = await a.queueChat(idb.deviceId, 'hello \u001b[2J bob');
    expect(await a.waitDelivered(id, 5_000)).toBe(true);
    const rec = await got;
    expect(rec.text).toBe('hello \u001b[2J bob');
    expect(b.snapshotNow().chats[ida.deviceId]!.map((m) => m.id)).toEqual([id]);
  });

  it('refuses pairing on a rejection or a wrong code, pinning nothing', async () => {
    const { e: a } = engine('alice');
    const { e: b } = engine('bob');
    await a.start();
    await b.start();
    const reqB = next(b, 'pair-request');
    const failA = next(a, 'pair-failed');
    await a.pairAddress('127.0.0.1', b.port);
    const rb = await reqB;
    const wrong = String((Number(rb.code) + 1) % 1_000_000).padStart(6, '0');
    expect(() => b.answerPairing(rb.pairingId, true, wrong)).toThrow(expect.objectContaining({ code: 'ERR_PAIRING_CODE_MISMATCH' }));
    expect((await failA).code).toBe('CODE_MISMATCH');
    expect(a.trustList()).toEqual([]);
    expect(b.trustList()).toEqual([]);

    const reqB2 = next(b, 'pair-request');
    const failA2 = next(a, 'pair-failed');
    await a.pairAddress('127.0.0.1', b.port);
    b.answerPairing((await reqB2).pairingId, false);
    expect((await failA2).code).toBe('REJECTED');
    expect(a.trustList()).toEqual([]);
  });

  it('queues chat for an offline peer and delivers it once when the peer is back', async () => {
    const storeB = new MemoryEngineStore();
    const { e: a } = engine('alice');
    let { e: b } = engine('bob', storeB);
    await a.start();
    await b.start();
    await pairUp(a, b);
    await a.waitFor(() => a.isOnline(testIdentity('bob').deviceId), 5_000);
    const bobPort = b.port;
    const offline = next(a, 'peer-offline');
    await b.shutdown();
    await offline;
    const { id } = await a.queueChat(testIdentity('bob').deviceId, 'while you were away');
    expect(await a.waitDelivered(id, 300)).toBe(false);
    // Bob comes back on the same port with the same store.
    b = new Engine({ identity: testIdentity('bob'), store: storeB, name: 'bob', listen: { host: '127.0.0.1', port: bobPort }, discovery: null, downloadsDir: tempDownloads() });
    engines.push(b);
    const got = next(b, 'chat-received');
    await b.start();
    expect(await a.waitDelivered(id, 15_000)).toBe(true);
    expect((await got).text).toBe('while you were away');
    expect(b.snapshotNow().chats[testIdentity('alice').deviceId]!.filter((m) => m.id === id)).toHaveLength(1);
  });

  it('takes a peer offline when its heartbeats stop (silent network) and back when they resume', async () => {
    const { e: a, store: sa } = engine('alice');
    const { e: b } = engine('bob');
    await a.start();
    await b.start();
    await pairUp(a, b);
    const idb = testIdentity('bob').deviceId;
    await a.waitFor(() => a.isOnline(idb), 5_000);
    // Re-route alice's connection to bob through a proxy, then silence it.
    const proxy = await startFaultProxy({ targetHost: '127.0.0.1', targetPort: b.port });
    const proxyPort = proxy.port;
    await a.shutdown();
    sa.putPin({ ...sa.getPin(idb)!, address: `127.0.0.1:${proxyPort}` });
    const a2 = new Engine({ identity: testIdentity('alice'), store: sa, name: 'alice', listen: null, discovery: null, downloadsDir: tempDownloads() });
    engines.push(a2);
    await a2.start();
    expect(await a2.waitFor(() => a2.isOnline(idb), 10_000)).toBe(true);
    const t0 = Date.now();
    const off = next(a2, 'peer-offline');
    proxy.stall();
    await off;
    const tookMs = Date.now() - t0;
    expect(tookMs).toBeLessThan(8_000);
    proxy.resume();
    expect(await a2.waitFor(() => a2.isOnline(idb), 20_000)).toBe(true);
    await proxy.close();
  });
});
