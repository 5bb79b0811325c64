import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/core/engine/engine.js';
import { Session } from '../../../src/core/connections/session.js';
import type { Message } from '../../../src/protocol/messages/index.js';
import { testIdentity } from '../../helpers/certs.js';
import { MemoryEngineStore, tempDownloads } from '../../helpers/memory-engine-store.js';
import { nextEvent } from '../../helpers/engine-events.js';

const engines: Engine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.shutdown()));
});

const next = nextEvent;

/** Two engines that already trust each other (pinned out of band), listening on fixed free ports. */
async function trustedPair() {
  const alice = testIdentity('alice');
  const bob = testIdentity('bob');
  const sa = new MemoryEngineStore();
  const sb = new MemoryEngineStore();
  // Learn two free ports by starting and stopping throwaway listeners is racy; instead start both,
  // then pin each other's real port and let them dial at the same moment.
  const a = new Engine({ identity: alice, store: sa, name: 'alice', listen: { host: '127.0.0.1', port: 0 }, discovery: null, downloadsDir: tempDownloads() });
  const b = new Engine({ identity: bob, store: sb, name: 'bob', listen: { host: '127.0.0.1', port: 0 }, discovery: null, downloadsDir: tempDownloads() });
  engines.push(a, b);
  await a.start();
  await b.start();
  return { a, b, sa, sb, alice, bob };
}

describe('engine sessions', () => {
  it('settles simultaneous dials on one connection that both sides agree on', async () => {
    const { a, b, alice, bob } = await trustedPair();
    const onlineA = next(a, 'peer-online');
    const onlineB = next(b, 'peer-online');
    // Both pin at once: both dial each other immediately.
    a.trustAdd(bob.deviceId, 'bob');
    b.trustAdd(alice.deviceId, 'alice');
    (a as unknown as { o: { store: MemoryEngineStore } }).o.store.putPin({ ...a.trustList()[0]!, address: `127.0.0.1:${b.port}` });
    (b as unknown as { o: { store: MemoryEngineStore } }).o.store.putPin({ ...b.trustList()[0]!, address: `127.0.0.1:${a.port}` });
    a.trustAdd(bob.deviceId, 'bob');
    b.trustAdd(alice.deviceId, 'alice');
    await Promise.all([onlineA, onlineB]);
    // Let any duplicate be resolved.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(a.isOnline(bob.deviceId)).toBe(true);
    expect(b.isOnline(alice.deviceId)).toBe(true);
    // A message still goes through, once, on the surviving connection.
    const got = next(b, 'chat-received');
    const { id } = await a.queueChat(bob.deviceId, 'one connection');
    expect(await a.waitDelivered(id, 5_000)).toBe(true);
    expect((await got).id).toBe(id);
    expect(b.snapshotNow().chats[alice.deviceId]).toHaveLength(1);
    // Both ends kept the same TCP connection: one side dialled it, the other accepted it.
    type Dir = { dir: { get(id: string): { session?: Session } | undefined } };
    const sa = (a as unknown as Dir).dir.get(bob.deviceId)!.session!;
    const sb = (b as unknown as Dir).dir.get(alice.deviceId)!.session!;
    expect(sa.initiatedBySelf).not.toBe(sb.initiatedBySelf);
  });

  it('delivers a chat message exactly once when the acknowledgement is lost and the link drops', async () => {
    const { a, b, alice, bob } = await trustedPair();
    a.trustAdd(bob.deviceId, 'bob');
    b.trustAdd(alice.deviceId, 'alice');
    (a as unknown as { o: { store: MemoryEngineStore } }).o.store.putPin({ ...a.trustList()[0]!, address: `127.0.0.1:${b.port}` });
    a.trustAdd(bob.deviceId, 'bob');
    expect(await a.waitFor(() => a.isOnline(bob.deviceId), 10_000)).toBe(true);
    // Bob stores the message but his CHAT_ACK is lost and the connection dies right after.
    const realSend = Session.prototype.send;
    let dropped = 0;
    Session.prototype.send = function (this: Session, msg: Message) {
      if (msg.type === 'CHAT_ACK' && dropped === 0) {
        dropped++;
        this.close('ERR_CONNECTION_CLOSED', 'test: link dropped before the ack');
        return true;
      }
      return realSend.call(this, msg);
    };
    try {
      const { id } = await a.queueChat(bob.deviceId, 'exactly once');
      expect(await a.waitDelivered(id, 20_000)).toBe(true);
      expect(dropped).toBe(1);
      const atBob = b.snapshotNow().chats[alice.deviceId]!.filter((m) => m.id === id);
      expect(atBob).toHaveLength(1);
      expect(a.outboxItems().find((it) => it.id === id)!.attempts).toBeGreaterThanOrEqual(2);
    } finally {
      Session.prototype.send = realSend;
    }
  });

  it('closes a live session at once when trust is removed', async () => {
    const { a, b, alice, bob } = await trustedPair();
    a.trustAdd(bob.deviceId, 'bob');
    b.trustAdd(alice.deviceId, 'alice');
    (a as unknown as { o: { store: MemoryEngineStore } }).o.store.putPin({ ...a.trustList()[0]!, address: `127.0.0.1:${b.port}` });
    a.trustAdd(bob.deviceId, 'bob');
    expect(await b.waitFor(() => b.isOnline(alice.deviceId), 10_000)).toBe(true);
    const offB = next(b, 'peer-offline');
    b.trustRemove(alice.deviceId);
    await offB;
    expect(b.isOnline(alice.deviceId)).toBe(false);
    // Alice keeps trying, but bob's listener refuses her before any application byte.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(a.isOnline(bob.deviceId)).toBe(false);
    expect(b.isOnline(alice.deviceId)).toBe(false);
  });

  it('rejects chat to an untrusted peer and oversize messages with typed errors', async () => {
    const { a, bob } = await trustedPair();
    await expect(a.queueChat(bob.deviceId, 'hi')).rejects.toMatchObject({ code: 'ERR_NOT_PINNED' });
    a.trustAdd(bob.deviceId, 'bob');
    await expect(a.queueChat(bob.deviceId, 'x'.repeat(17 * 1024))).rejects.toMatchObject({ code: 'ERR_MESSAGE_TOO_LARGE' });
  });
});

describe('engine dialling a static peer', () => {
  it('opens one session when a send wants the peer while the static dial is still handshaking', async () => {
    const alice = testIdentity('alice');
    const bob = testIdentity('bob');
    const b = new Engine({ identity: bob, store: new MemoryEngineStore(), name: 'bob', listen: { host: '127.0.0.1', port: 0 }, discovery: null, downloadsDir: tempDownloads() });
    engines.push(b);
    await b.start();
    b.trustAdd(alice.deviceId, 'alice');
    const sa = new MemoryEngineStore();
    const a = new Engine({ identity: alice, store: sa, name: 'alice', listen: { host: '127.0.0.1', port: 0 }, discovery: null, staticPeers: [{ host: '127.0.0.1', port: b.port }], downloadsDir: tempDownloads() });
    engines.push(a);
    // Pinned already when the engine starts, as after `peerdeck trust add` (trustAdd on a stopped
    // engine would schedule a dial of its own that races start()).
    sa.putPin({ deviceId: bob.deviceId, name: 'bob', pinnedAt: Date.now(), policy: 'ask' });
    const seen: string[] = [];
    b.events.on('peer-online', () => seen.push('online'));
    b.events.on('peer-offline', (e) => seen.push(`offline: ${e.reason}`));
    const online = next(b, 'peer-online');
    await a.start();
    // Wanting the peer at once (as `send` and chat do) must not dial it a second time.
    const { id } = await a.queueChat(bob.deviceId, 'hello');
    await online;
    expect(await a.waitDelivered(id, 5_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 300)); // room for a duplicate to show up and be dropped
    expect(seen).toEqual(['online']);
  });
});
