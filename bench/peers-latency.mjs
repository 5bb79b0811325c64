// Measures how long discovery, pairing and reconnect take between real engines
// on loopback (one process, real UDP/TLS sockets). Run after `npm run build`:
//   node bench/peers-latency.mjs [--runs 5]
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../dist/core/engine/engine.js';
import { loadOrCreateIdentity } from '../dist/core/identity.js';
import { ensureConfigDir } from '../dist/core/config-dir.js';
import { openConfStore } from '../dist/store/conf-store.js';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
const freeUdp = () => new Promise((r) => { const s = createSocket('udp4'); s.bind(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => r(p)); }); });
const next = (e, type, pred = () => true) => new Promise((r) => { const off = e.events.on(type, (p) => { if (pred(p)) { off(); r(p); } }); });

async function node(dir, name, disc, port = 0) {
  const paths = await ensureConfigDir(dir);
  const identity = await loadOrCreateIdentity(paths);
  const store = await openConfStore(paths);
  const e = new Engine({ identity, store, name, listen: { host: '127.0.0.1', port }, discovery: { port: disc, broadcast: ['127.255.255.255'] } });
  return { e, store, identity };
}

const stats = (xs) => { const s = [...xs].sort((a, b) => a - b); return `median ${s[Math.floor(s.length / 2)].toFixed(0)} ms (min ${s[0].toFixed(0)}, max ${s.at(-1).toFixed(0)})`; };
const disc = [], pair = [], recon = [];
for (let i = 0; i < runs; i++) {
  const root = mkdtempSync(join(tmpdir(), 'pd-lat-'));
  const port = await freeUdp();
  const a = await node(join(root, 'a'), 'alice', port);
  const b = await node(join(root, 'b'), 'bob', port);
  await a.e.start();
  let t = performance.now();
  const seen = next(a.e, 'peer-discovered');
  await b.e.start();
  await seen;
  disc.push(performance.now() - t);
  // Pairing: from the request to both sides pinned, with both "humans" confirming at once.
  t = performance.now();
  const ra = next(a.e, 'pair-request'); const rb = next(b.e, 'pair-request');
  await a.e.pairAddress('127.0.0.1', b.e.port);
  const [qa, qb] = await Promise.all([ra, rb]);
  const done = Promise.all([next(a.e, 'paired'), next(b.e, 'paired'), next(a.e, 'peer-online')]);
  a.e.answerPairing(qa.pairingId, true); b.e.answerPairing(qb.pairingId, true, qb.code);
  await done;
  pair.push(performance.now() - t);
  // Reconnect: bob restarts on the same port; time from his start to alice seeing him online.
  const bobPort = b.e.port;
  const off = next(a.e, 'peer-offline');
  await b.e.shutdown(); await b.store.close();
  await off;
  const b2 = await node(join(root, 'b'), 'bob', port, bobPort);
  t = performance.now();
  const back = next(a.e, 'peer-online');
  await b2.e.start();
  await back;
  recon.push(performance.now() - t);
  await a.e.shutdown(); await b2.e.shutdown(); await a.store.close(); await b2.store.close();
  rmSync(root, { recursive: true, force: true });
}
console.log(`discovery (second peer starts → first sees it): ${stats(disc)}`);
console.log(`pairing (request → both pinned and session up, instant human confirm): ${stats(pair)}`);
console.log(`reconnect (peer restarts → session back up): ${stats(recon)}`);
