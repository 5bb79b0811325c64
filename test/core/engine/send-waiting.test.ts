/**
 * `send` says what it is waiting for: while the receiver has not answered the
 * offer, a `transfer-offered` event (human: "waiting for bob to accept…")
 * reaches the caller. Two engines over real TLS on loopback.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatEvent } from '../../../src/cli/event-format.js';
import { Engine } from '../../../src/core/engine/engine.js';
import type { EngineEvent } from '../../../src/core/engine/events.js';
import { localOperations } from '../../../src/core/engine/operations.js';
import { shortId } from '../../../src/protocol/device-id.js';
import { testIdentity } from '../../helpers/certs.js';
import { nextEvent } from '../../helpers/engine-events.js';
import { MemoryEngineStore, tempDownloads } from '../../helpers/memory-engine-store.js';

const engines: Engine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.shutdown()));
});

function engine(name: 'alice' | 'bob') {
  const e = new Engine({ identity: testIdentity(name), store: new MemoryEngineStore(), name, listen: { host: '127.0.0.1', port: 0 }, discovery: null, downloadsDir: tempDownloads() });
  engines.push(e);
  return e;
}

describe('send while the receiver decides', () => {
  it('streams transfer-offered with the receiver\'s name before the answer, then delivers', async () => {
    const a = engine('alice');
    const b = engine('bob');
    await a.start();
    await b.start();
    const [ra, rb] = await Promise.all([nextEvent(a, 'pair-request'), nextEvent(b, 'pair-request'), a.pairAddress('127.0.0.1', b.port)]);
    const paired = Promise.all([nextEvent(a, 'peer-online'), nextEvent(b, 'peer-online')]);
    a.answerPairing(ra.pairingId, true);
    b.answerPairing(rb.pairingId, true, rb.code);
    await paired;

    const file = path.join(tempDownloads(), 'notes.txt');
    writeFileSync(file, 'hello');
    const seen: EngineEvent[] = [];
    let offeredSeen: (() => void) | undefined;
    const offered = new Promise<void>((r) => (offeredSeen = r));
    const sending = localOperations(a).send({ peer: b.selfId, paths: [file] }, (e) => {
      seen.push(e);
      if (e.type === 'transfer-offered') offeredSeen!();
    }, new AbortController().signal);
    await offered;
    const ev = seen.find((e) => e.type === 'transfer-offered')!;
    expect(ev).toMatchObject({ type: 'transfer-offered', deviceId: b.selfId, name: 'bob', files: 1, total: 5 });
    expect(formatEvent(ev)).toBe(`waiting for bob [${shortId(b.selfId)}] to accept…`);
    expect(seen.some((e) => e.type === 'transfer-started')).toBe(false); // nobody answered yet

    const offer = await new Promise<string>((resolve) => {
      const look = () => (b.snapshotNow().offers[0] ? resolve(b.snapshotNow().offers[0]!.id) : setTimeout(look, 10));
      look();
    });
    b.answerOffer(offer, true);
    expect((await sending).state).toBe('delivered');
  });
});
