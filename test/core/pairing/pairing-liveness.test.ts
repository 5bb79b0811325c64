/**
 * A pairing connection stays up for the whole pairing window (people are slow
 * to compare codes), and at the end of the window both sides say it timed out.
 * Real TLS on loopback; time moves on a shared ManualClock, in steps, with real
 * I/O between steps so the heartbeats actually cross the wire.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { Engine } from '../../../src/core/engine/engine.js';
import { localOperations } from '../../../src/core/engine/operations.js';
import type { EngineEventMap } from '../../../src/core/engine/events.js';
import { PAIRING_TIMEOUT_MS } from '../../../src/core/pairing/pairing-flow.js';
import { IDLE_TIMEOUT_MS } from '../../../src/core/tls/tls-options.js';
import { testIdentity } from '../../helpers/certs.js';
import { nextEvent } from '../../helpers/engine-events.js';
import { MemoryEngineStore, tempDownloads } from '../../helpers/memory-engine-store.js';

const engines: Engine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.shutdown()));
});

function engine(name: 'alice' | 'bob', clock: ManualClock) {
  const e = new Engine({
    identity: testIdentity(name),
    store: new MemoryEngineStore(),
    name,
    listen: { host: '127.0.0.1', port: 0 },
    discovery: null,
    clock,
    downloadsDir: tempDownloads(),
  });
  engines.push(e);
  return e;
}

const tick = () => new Promise((r) => setTimeout(r, 5));

/** Advance the clock by `ms` in 500 ms steps, letting sockets move between steps. */
async function pass(clock: ManualClock, ms: number) {
  for (let t = 0; t < ms; t += 500) {
    clock.advance(Math.min(500, ms - t));
    await tick();
    await tick();
  }
}

async function openRequest(clock: ManualClock) {
  const a = engine('alice', clock);
  const b = engine('bob', clock);
  await a.start();
  await b.start();
  const reqA = nextEvent(a, 'pair-request');
  const reqB = nextEvent(b, 'pair-request');
  await a.pairAddress('127.0.0.1', b.port);
  const [ra, rb] = await Promise.all([reqA, reqB]);
  return { a, b, ra, rb };
}

function collect<K extends keyof EngineEventMap>(e: Engine, type: K) {
  const got: EngineEventMap[K][] = [];
  e.events.on(type, (p) => got.push(p));
  return got;
}

describe('pairing liveness', () => {
  it('survives humans who take longer than the idle timeout, shows when it expires, and pairs', async () => {
    const clock = new ManualClock();
    const { a, b, ra, rb } = await openRequest(clock);
    const viewA = a.snapshotNow().pairings[0]!;
    expect(viewA.expiresAt).toBe(PAIRING_TIMEOUT_MS);
    expect(b.snapshotNow().pairings[0]!.expiresAt).toBe(PAIRING_TIMEOUT_MS);
    const failedA = collect(a, 'pair-failed');
    const failedB = collect(b, 'pair-failed');

    await pass(clock, 2 * IDLE_TIMEOUT_MS + 5_000); // 35 s of reading the code
    expect([...failedA, ...failedB]).toEqual([]);
    expect(a.snapshotNow().pairings).toHaveLength(1);
    expect(b.snapshotNow().pairings).toHaveLength(1);

    const pairedA = nextEvent(a, 'paired');
    const pairedB = nextEvent(b, 'paired');
    a.answerPairing(ra.pairingId, true);
    await pass(clock, 10_000); // the other person is slow too
    b.answerPairing(rb.pairingId, true, rb.code);
    await Promise.all([pairedA, pairedB]);
    expect(a.trustList()).toHaveLength(1);
    expect(b.trustList()).toHaveLength(1);
  });

  it('times out at the end of the window and both sides say "timed out"', async () => {
    const clock = new ManualClock();
    const { a, b, ra, rb } = await openRequest(clock);
    const failA = nextEvent(a, 'pair-failed');
    const failB = nextEvent(b, 'pair-failed');
    a.answerPairing(ra.pairingId, true);
    await pass(clock, PAIRING_TIMEOUT_MS - 1_000);
    expect(a.snapshotNow().pairings).toHaveLength(1);
    await pass(clock, 2_000);
    const [fa, fb] = await Promise.all([failA, failB]);
    expect(fa.code).toBe('TIMEOUT');
    expect(fb.code).toBe('TIMEOUT');
    expect(fa.message).toContain('timed out');
    expect(fb.message).toContain('timed out');
    expect(a.snapshotNow().pairings).toEqual([]);
    expect(b.snapshotNow().pairings).toEqual([]);
    // A late answer by the request's id learns how it ended (no "no peer matches p1-…").
    const late = await localOperations(b).pairAnswer({ peer: rb.pairingId, accept: true });
    expect(late).toMatchObject({ paired: false, code: 'TIMEOUT' });
    expect(await localOperations(a).pairOutcome({ pairingId: ra.pairingId })).toMatchObject({ ended: true, paired: false, code: 'TIMEOUT', name: 'bob' });
  });
});
