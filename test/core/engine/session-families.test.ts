/**
 * Issue 17, "smaller things": a frame of the wrong family on a session (a
 * pairing or bulk message), or an answer to nothing we sent (an OFFER_ACCEPT
 * for an offer never made, a CHAT_ACK for a message never sent), closes the
 * session with ERR_SESSION_PROTOCOL instead of being silently ignored. A raw
 * hostile client built from the protocol module against a real engine (real
 * mutual TLS on 127.0.0.1).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/core/engine/engine.js';
import type { Message } from '../../../src/protocol/messages/index.js';
import { fixtureIdentity } from '../../../fixtures/identities/index.js';
import { MemoryEngineStore, tempDownloads } from '../../helpers/memory-engine-store.js';
import { nextEvent } from '../../helpers/engine-events.js';
import { RawSession } from '../chat/helpers/raw-session.js';
import { SAMPLES } from '../../protocol/helpers/samples.js';

const engines: Engine[] = [];
const raws: RawSession[] = [];
afterEach(async () => {
  for (const r of raws.splice(0)) r.close();
  await Promise.all(engines.splice(0).map((e) => e.shutdown()));
});

const HOSTILE = 5;

async function victimAndClient(): Promise<{ e: Engine; raw: RawSession }> {
  const store = new MemoryEngineStore();
  store.putPin({ deviceId: fixtureIdentity(HOSTILE).deviceId, name: 'hostile', pinnedAt: 1, policy: 'ask' });
  const e = new Engine({ identity: fixtureIdentity(4), store, name: 'victim', listen: { host: '127.0.0.1', port: 0 }, discovery: null, downloadsDir: tempDownloads() });
  engines.push(e);
  await e.start();
  const online = nextEvent(e, 'peer-online');
  const raw = await RawSession.open(HOSTILE, e.port, e.selfId);
  raws.push(raw);
  await online;
  return { e, raw };
}

async function expectDropped(msg: Message): Promise<void> {
  const { e, raw } = await victimAndClient();
  const offline = nextEvent(e, 'peer-offline');
  await raw.send(msg);
  const why = await offline;
  await raw.until(() => !!raw.closed, 5_000, 'the victim to close the session');
  expect(why.reason).toMatch(/^protocol error: /);
  expect(why.reason).toContain(msg.type);
}

describe('session: wrong-family and unsolicited messages close the session', () => {
  it.each(['PAIR_COMMIT', 'PAIR_CONFIRM', 'BULK_OPEN', 'FILE_END', 'BULK_ACK'] as const)('%s on a session', async (type) => {
    await expectDropped(SAMPLES[type]);
  });

  it('an OFFER_ACCEPT for an offer never made', async () => {
    await expectDropped(SAMPLES.OFFER_ACCEPT);
  });

  it('a CHAT_ACK for a message never sent', async () => {
    await expectDropped({ type: 'CHAT_ACK', id: 'never-sent-1' });
  });

  it('a second ACCEPT', async () => {
    const { e, raw } = await victimAndClient();
    const offline = nextEvent(e, 'peer-offline');
    await raw.send({ type: 'ACCEPT', name: 'again' });
    expect((await offline).reason).toMatch(/protocol error: second ACCEPT/);
  });

  it('keeps a session that acks what it was sent and chats within the rules', async () => {
    const { e, raw } = await victimAndClient();
    const { id } = await e.queueChat(fixtureIdentity(HOSTILE).deviceId, 'hello');
    await raw.until(() => raw.received.some((m) => m.type === 'CHAT' && m.id === id), 5_000, 'the CHAT');
    await raw.send({ type: 'CHAT_ACK', id });
    await raw.send({ type: 'CHAT_ACK', id }); // a repeated ack is fine
    expect(await e.waitDelivered(id, 5_000)).toBe(true);
    await raw.send({ type: 'CHAT', id: 'c1', text: 'hi', at: 1 });
    await raw.until(() => raw.received.some((m) => m.type === 'CHAT_ACK' && m.id === 'c1'), 5_000, 'the ack of c1');
    await new Promise((r) => setTimeout(r, 200));
    expect(raw.closed).toBeUndefined();
  });
});
