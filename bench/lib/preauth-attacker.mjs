#!/usr/bin/env node
// A hostile pre-auth client (issue 17): keeps CONNS TCP connections open to HOST:PORT and reopens
// each one as soon as the victim drops it. `silent` never sends a byte; `trickle` sends a real TLS
// ClientHello one byte every TRICKLE_MS. Source addresses rotate over --sources (127.0.0.0/8 only).
// Prints one JSON line per second: {"open":n,"connects":n,"closed":n,"errors":n}, and on SIGTERM a last one.
//   node bench/lib/preauth-attacker.mjs --port P --conns 3000 --mode silent --sources 127.0.0.2
//   node bench/lib/preauth-attacker.mjs --port P --conns 1000 --mode trickle --source-range 127.0.1.1:50
import { createConnection, createServer } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const host = arg('host', '127.0.0.1');
const port = Number(arg('port'));
const conns = Number(arg('conns', '3000'));
const mode = arg('mode', 'silent');
const trickleMs = Number(arg('trickle-ms', '100'));
let sources = (arg('sources', '127.0.0.2')).split(',');
const range = arg('source-range');
if (range) {
  const [base, count] = range.split(':');
  const parts = base.split('.').map(Number);
  sources = Array.from({ length: Number(count) }, (_, i) => `${parts[0]}.${parts[1]}.${parts[2]}.${parts[3] + i}`);
}
if (!Number.isInteger(port) || port < 1 || !['silent', 'trickle'].includes(mode)) {
  process.stderr.write('usage: preauth-attacker.mjs --port P [--conns N] [--mode silent|trickle] [--sources A,B | --source-range 127.0.1.1:50]\n');
  process.exit(2);
}
for (const s of [host, ...sources]) if (!s.startsWith('127.')) throw new Error(`loopback only: ${s}`);

/** A real ClientHello, captured once from node:tls talking to a local server that never answers. */
function captureClientHello() {
  return new Promise((resolve) => {
    const srv = createServer((s) => s.once('data', (d) => { resolve(d); s.destroy(); srv.close(); }));
    srv.listen(0, '127.0.0.1', () => {
      const c = tlsConnect({ host: '127.0.0.1', port: srv.address().port, rejectUnauthorized: false, minVersion: 'TLSv1.3', ALPNProtocols: ['peerdeck/1'] });
      c.on('error', () => {});
    });
  });
}

const hello = mode === 'trickle' ? await captureClientHello() : undefined;
const stats = { open: 0, connects: 0, closed: 0, errors: 0 };
let stopping = false;
let next = 0;

function open() {
  if (stopping) return;
  const localAddress = sources[next++ % sources.length];
  const sock = createConnection({ host, port, localAddress });
  stats.connects++;
  let timer;
  let up = false;
  sock.on('connect', () => {
    up = true;
    stats.open++;
    if (hello) {
      let i = 0;
      timer = setInterval(() => {
        if (i < hello.length && !sock.destroyed) sock.write(hello.subarray(i, ++i));
      }, trickleMs);
    }
  });
  sock.on('data', () => {}); // whatever the victim says (alerts) is ignored
  sock.on('error', () => stats.errors++);
  sock.on('close', () => {
    clearInterval(timer);
    if (up) stats.open--;
    stats.closed++;
    // Reopened at once, as the attack run did (setImmediate only so the loop yields to I/O).
    setImmediate(open);
  });
}

const report = () => process.stdout.write(`${JSON.stringify(stats)}\n`);
const tick = setInterval(report, 1000);
process.on('SIGTERM', () => {
  stopping = true;
  clearInterval(tick);
  report();
  process.exit(0);
});
for (let i = 0; i < conns; i++) open();
