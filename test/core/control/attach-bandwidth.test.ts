/**
 * What an attached dashboard costs on the control socket while a transfer
 * runs: a counting Unix-socket proxy sits between a RemoteEngine and a real
 * engine receiving a 256 MiB file over real TLS. Pushes stay at ≤ ~10/s and
 * carry only what changed (the transfer row), so the figure is a few KB/s
 * whatever the chat history or the transfer rate. Prints the measurement.
 */
import { openSync, ftruncateSync, closeSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteEngine } from '../../../src/core/control/remote-engine.js';
import type { Engine } from '../../../src/core/engine/engine.js';
import { tempDownloads } from '../../helpers/memory-engine-store.js';
import { VERSION, hostEngine, makeEngine, pairUp, until } from './attach-helpers.js';

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function countingProxy(target: string, at: string) {
  const counter = { down: 0, lines: 0 };
  const server = createServer((client) => {
    const up = createConnection({ path: target });
    client.pipe(up);
    up.on('data', (d: Buffer) => {
      counter.down += d.length;
      for (const b of d) if (b === 10) counter.lines++;
      client.write(d);
    });
    up.on('close', () => client.destroy());
    client.on('close', () => up.destroy());
    up.on('error', () => undefined);
    client.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(at, r));
  cleanups.push(() => new Promise((r) => server.close(r)));
  return counter;
}

describe('control socket traffic of an attached dashboard', () => {
  it('while a 256 MiB transfer runs: ≤ ~10 pushes per second, a few KB/s', async () => {
    const engines: Engine[] = [makeEngine('alice'), makeEngine('bob')];
    const [alice, bob] = engines as [Engine, Engine];
    for (const e of engines) cleanups.push(() => e.shutdown());
    await alice.start();
    await bob.start();
    await pairUp(alice, bob);
    const host = await hostEngine(bob);
    cleanups.push(() => host.close());
    const proxied = join(host.socketPath, '..', 'proxy.sock');
    const counter = await countingProxy(host.socketPath, proxied);
    const remote = await RemoteEngine.attach({ socketPath: proxied, version: VERSION });
    cleanups.push(() => remote.detach());

    const file = join(tempDownloads(), 'big.bin');
    const fd = openSync(file, 'w');
    ftruncateSync(fd, 256 * 1024 * 1024);
    closeSync(fd);
    await alice.sendFiles(bob.selfId, [file]);
    await until(remote, () => remote.getSnapshot().offers.length === 1, 30_000);
    const startBytes = counter.down;
    const startLines = counter.lines;
    const t0 = performance.now();
    remote.answerOffer(remote.getSnapshot().offers[0]!.id, true);
    await until(remote, () => remote.getSnapshot().transfers.some((t) => t.state === 'done'), 120_000);
    const seconds = (performance.now() - t0) / 1000;
    const bytes = counter.down - startBytes;
    const pushes = counter.lines - startLines;
    const perSecond = Math.round(bytes / seconds);
    console.log(
      `attach bandwidth: ${bytes} B in ${pushes} pushes over ${seconds.toFixed(2)} s = ${perSecond} B/s, ${(pushes / seconds).toFixed(1)} pushes/s, ${Math.round(bytes / Math.max(1, pushes))} B/push`,
    );
    expect(pushes / seconds).toBeLessThanOrEqual(12);
    expect(perSecond).toBeLessThan(20_000);
  }, 180_000);
});
