/**
 * Remote dashboards (RemoteEngine) attached to real engines over a real
 * control socket: the same snapshot in every dashboard, a dialog answered in
 * one gone from the others, the engine going away (and coming back), and a
 * version mismatch refused with ERR_VERSION_MISMATCH.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteEngine } from '../../../src/core/control/remote-engine.js';
import type { Engine } from '../../../src/core/engine/engine.js';
import { nextEvent } from '../../helpers/engine-events.js';
import { tempDownloads } from '../../helpers/memory-engine-store.js';
import { VERSION, hostEngine, makeEngine, pairUp, until, type Hosted } from './attach-helpers.js';

const engines: Engine[] = [];
const hosts: Hosted[] = [];
const remotes: RemoteEngine[] = [];
afterEach(async () => {
  await Promise.all(remotes.splice(0).map((r) => r.detach()));
  await Promise.all(hosts.splice(0).map((h) => h.close()));
  await Promise.all(engines.splice(0).map((e) => e.shutdown()));
});

async function started(name: 'alice' | 'bob'): Promise<Engine> {
  const e = makeEngine(name);
  engines.push(e);
  await e.start();
  return e;
}

async function attach(h: Hosted, opts: Partial<Parameters<typeof RemoteEngine.attach>[0]> = {}): Promise<RemoteEngine> {
  const r = await RemoteEngine.attach({ socketPath: h.socketPath, version: VERSION, ...opts });
  remotes.push(r);
  return r;
}

describe('remote engine over the control socket', () => {
  it('two dashboards see the engine snapshot; a pairing answered in one leaves both', async () => {
    const alice = await started('alice');
    const bob = await started('bob');
    const host = await hostEngine(bob);
    hosts.push(host);
    const one = await attach(host);
    const two = await attach(host);
    expect(one.linkState()).toBe('attached');
    expect(one.getSnapshot().self).toEqual(bob.getSnapshot().self);
    expect(two.getSnapshot()).toEqual(one.getSnapshot());

    const req = nextEvent(bob, 'pair-request');
    await alice.pairAddress('127.0.0.1', bob.port);
    const { pairingId } = await req;
    await until(one, () => one.getSnapshot().pairings.some((p) => p.id === pairingId && p.code !== undefined));
    await until(two, () => two.getSnapshot().pairings.some((p) => p.id === pairingId && p.code !== undefined));
    expect(two.getSnapshot().pairings).toEqual(one.getSnapshot().pairings);

    one.answerPairing(pairingId, false);
    await until(two, () => two.getSnapshot().pairings.length === 0);
    await until(one, () => one.getSnapshot().pairings.length === 0);
    expect(bob.getSnapshot().pairings).toEqual([]);
  });

  it('an offer accepted in one dashboard closes in the other; the transfer lands; unchanged slices keep their references', async () => {
    const alice = await started('alice');
    const bob = await started('bob');
    await pairUp(alice, bob);
    const host = await hostEngine(bob);
    hosts.push(host);
    const one = await attach(host);
    const two = await attach(host);
    await until(one, () => one.getSnapshot().peers.some((p) => p.state === 'online'));

    const file = join(tempDownloads(), 'report.txt');
    writeFileSync(file, 'quarterly numbers\n');
    await alice.sendFiles(bob.selfId, [file]);
    await until(one, () => one.getSnapshot().offers.length === 1);
    await until(two, () => two.getSnapshot().offers.length === 1);
    const offer = two.getSnapshot().offers[0]!;
    expect(offer.files).toEqual([{ path: 'report.txt', size: 18 }]);
    const peersBefore = one.getSnapshot().peers;
    const selfBefore = one.getSnapshot().self;

    two.answerOffer(offer.id, true);
    await until(one, () => one.getSnapshot().offers.length === 0);
    await until(one, () => one.getSnapshot().transfers.some((t) => t.state === 'done'));
    await until(two, () => two.getSnapshot().transfers.some((t) => t.state === 'done'));
    // Offers and transfers changed; the peers did not (RTT aside, which a heartbeat may move).
    expect(one.getSnapshot().self).toBe(selfBefore);
    if (JSON.stringify(one.getSnapshot().peers) === JSON.stringify(peersBefore)) expect(one.getSnapshot().peers).toBe(peersBefore);
  });

  it('calls reach the engine with typed errors; a failed void call becomes a notice', async () => {
    const bob = await started('bob');
    const host = await hostEngine(bob);
    hosts.push(host);
    const one = await attach(host);
    await expect(one.sendChat('Z'.repeat(52) as never, 'hi')).rejects.toMatchObject({ code: expect.stringMatching(/^ERR_/) });
    expect(await one.checkPath(join(tempDownloads(), 'missing'))).toMatchObject({ ok: false });
    one.answerPairing('no-such-pairing', true); // the engine throws; the dashboard shows it
    await until(one, () => one.getSnapshot().notices.some((n) => n.id < 0 && n.level === 'error'));
  });

  it('says so when the engine goes away, and attaches again after a restart', async () => {
    const bob = await started('bob');
    const host = await hostEngine(bob);
    hosts.push(host);
    let starts = 0;
    const one = await attach(host, {
      start: async () => {
        starts++;
        await host.serveAgain();
      },
    });
    const before = one.getSnapshot();
    await host.server.close();
    await until(one, () => one.linkState() === 'lost');
    expect(one.lostReason()).toBeTruthy();
    expect(one.getSnapshot()).toBe(before); // the last picture stays on screen
    await expect(one.sendChat(bob.selfId, 'x')).rejects.toMatchObject({ code: 'ERR_ENGINE_GONE' });

    await one.restart();
    expect(starts).toBe(1);
    expect(one.linkState()).toBe('attached');
    expect(one.getSnapshot().self.deviceId).toBe(bob.selfId);
  });

  it('q from a dashboard asks the engine to stop; detach leaves it serving', async () => {
    const bob = await started('bob');
    const host = await hostEngine(bob);
    hosts.push(host);
    const one = await attach(host);
    const two = await attach(host);
    await one.detach();
    expect(host.stopRequests).toBe(0);
    const three = await attach(host); // still there
    expect(three.linkState()).toBe('attached');
    await two.shutdown();
    expect(host.stopRequests).toBe(1);
    await until(three, () => three.linkState() === 'lost');
  });

  it('refuses a dashboard of another version with ERR_VERSION_MISMATCH naming both versions', async () => {
    const bob = await started('bob');
    const host = await hostEngine(bob, '2.0.0');
    hosts.push(host);
    const err = await RemoteEngine.attach({ socketPath: host.socketPath, version: '1.9.0' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_VERSION_MISMATCH' });
    expect((err as Error).message).toContain('1.9.0');
    expect((err as Error).message).toContain('2.0.0');
  });
});
