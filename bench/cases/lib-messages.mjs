// `npm run bench -- --cases lib` (issue 15): messages/s and MB/s of the library's `bytes`
// connections (createPeer → connect → send/read, through the built package) for 1 KiB and
// 1 MiB messages over loopback, beside a bare Node mutual-TLS 1.3 pipe carrying the same
// length-prefixed messages in the same run. Each side is its own process (bench/lib/msg-peer.mjs);
// the clock runs at the sender from its first write to the receiver's one-byte reply after the
// last message (connection set-up is not timed). Rounds alternate bare / library; the table
// gives the median (min–max) over --runs rounds. Needs `npm run build`.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeCerts } from '../lib/certs.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const PEER = path.join(here, '..', 'lib', 'msg-peer.mjs');
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function start(args) {
  const child = spawn(process.execPath, [PEER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  const waiters = [];
  let buf = '';
  let err = '';
  child.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const o = JSON.parse(buf.slice(0, i));
      buf = buf.slice(i + 1);
      const w = waiters.shift();
      if (w) w(o);
      else lines.push(o);
    }
  });
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    next: () => (lines.length ? Promise.resolve(lines.shift()) : Promise.race([new Promise((r) => waiters.push(r)), exited.then((code) => Promise.reject(new Error(`${args[0]} exited ${code} early: ${err.trim()}`)))])),
    exit: async () => {
      const code = await exited;
      if (code !== 0) throw new Error(`${args[0]} exited ${code}: ${err.trim()}`);
    },
  };
}

async function pair(recvArgs, sendArgs) {
  const r = start(recvArgs);
  let s;
  try {
    const { port } = await r.next();
    s = start(sendArgs(port));
    const sent = await s.next();
    const got = await r.next();
    await Promise.all([r.exit(), s.exit()]);
    if (got.bytes !== sent.bytes) throw new Error(`receiver counted ${got.bytes} bytes, sender sent ${sent.bytes}`);
    return { ms: sent.ms, messages: sent.messages, bytes: sent.bytes, rss: [sent.maxRss, got.maxRss] };
  } finally {
    r.child.kill('SIGKILL');
    s?.child.kill('SIGKILL');
  }
}

export async function runLibBench({ repo, opts, log }) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'peerdeck-bench-lib-'));
  try {
    const { createPeer } = await import('peerdeck');
    const dirs = { recv: path.join(tmp, 'recv'), send: path.join(tmp, 'send') };
    const r = await createPeer({ configDir: dirs.recv, port: 0, discovery: false });
    const s = await createPeer({ configDir: dirs.send, port: 0, discovery: false });
    await r.trust.add(s.deviceId, { name: 'sender' });
    await s.trust.add(r.deviceId, { name: 'receiver' });
    await Promise.all([r.close(), s.close()]);
    const c = makeCerts(path.join(tmp, 'certs'));
    const tlsArgs = (cert, key) => ['--ca', c.ca, '--cert', cert, '--key', key];

    const sizes = [
      { label: '1 KiB', size: 1024, count: opts.quick ? 50_000 : 300_000 },
      { label: '1 MiB', size: 2 ** 20, count: opts.quick ? 128 : 1024 },
    ];
    const runs = opts.runs;
    const results = {};
    for (const { label, size, count } of sizes) {
      results[label] = { size, count, bare: [], lib: [] };
      for (let i = 0; i < runs; i++) {
        const bare = await pair(['tls-recv', '--port', '0', '--count', String(count), ...tlsArgs(c.serverCert, c.serverKey)], (port) => ['tls-send', '--port', String(port), '--count', String(count), '--size', String(size), ...tlsArgs(c.clientCert, c.clientKey)]);
        const lib = await pair(['lib-recv', '--config', dirs.recv, '--count', String(count)], (port) => ['lib-send', '--config', dirs.send, '--peer', `127.0.0.1:${port}`, '--count', String(count), '--size', String(size)]);
        for (const [k, v] of [['bare', bare], ['lib', lib]]) {
          results[label][k].push(v);
          log(`lib bench ${label} ${k === 'bare' ? 'bare Node TLS' : 'peerdeck bytes'} run ${i + 1}: ${(v.messages / (v.ms / 1000)).toFixed(0)} msg/s, ${(v.bytes / 1e6 / (v.ms / 1000)).toFixed(1)} MB/s (${v.ms.toFixed(0)} ms)`);
        }
      }
    }

    const rows = [];
    for (const [label, r] of Object.entries(results)) {
      for (const k of ['bare', 'lib']) {
        const xs = r[k];
        const mps = xs.map((v) => v.messages / (v.ms / 1000));
        const mbs = xs.map((v) => v.bytes / 1e6 / (v.ms / 1000));
        rows.push({
          message: label,
          pipe: k === 'bare' ? 'bare Node TLS 1.3 pipe' : 'peerdeck `bytes` connection',
          messages: r.count,
          msg_per_s: { median: median(mps), min: Math.min(...mps), max: Math.max(...mps) },
          mb_per_s: { median: median(mbs), min: Math.min(...mbs), max: Math.max(...mbs) },
          peak_rss_mib: [Math.max(...xs.map((v) => v.rss[0])) / 2 ** 20, Math.max(...xs.map((v) => v.rss[1])) / 2 ** 20],
        });
      }
    }
    const f = (o, d) => `${o.median.toFixed(d)} (${o.min.toFixed(d)}–${o.max.toFixed(d)})`;
    log('');
    log(`| message | pipe | msg/s median (min–max) | MB/s median (min–max) | peak RSS MiB send / recv |`);
    log('|---|---|---|---|---|');
    for (const row of rows) log(`| ${row.message} | ${row.pipe} | ${f(row.msg_per_s, 0)} | ${f(row.mb_per_s, 1)} | ${row.peak_rss_mib.map((x) => x.toFixed(0)).join(' / ')} |`);
    for (const label of Object.keys(results)) {
      const [b, l] = rows.filter((r) => r.message === label);
      log(`ratio peerdeck/bare, ${label}: ${(l.msg_per_s.median / b.msg_per_s.median).toFixed(2)}`);
    }
    return { repo, runs, rows };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
