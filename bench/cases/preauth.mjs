// `npm run bench -- --cases preauth` (issue 17): time for a pinned peer to open a session (TCP + TLS
// + pin check + HELLO/ACCEPT) with a real `peerdeck listen`, with nothing else going on and while
// bench/lib/preauth-attacker.mjs holds 3,000 silent connections from 127.0.0.2 (reopening each one
// the moment it is dropped). p50/p99 over --runs × 20 tries (at least 20). Needs `npm run build`.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const TRIES = 20;
const ATTACK_CONNS = 3000;

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function runPreauthBench({ repo, opts, log }) {
  const dist = (p) => pathToFileURL(path.join(repo, 'dist', p)).href;
  const cli = path.join(repo, 'dist', 'cli.js');
  const { systemClock } = await import(dist('core/clock.js'));
  const { dialTls } = await import(dist('core/tls/tls-dialer.js'));
  const { ALPN_SESSION } = await import(dist('core/tls/tls-options.js'));
  const { MessageChannel } = await import(dist('core/connections/message-channel.js'));
  const { Session, SESSION_TIEBREAK_BYTES, SESSION_TIEBREAK_LABEL } = await import(dist('core/connections/session.js'));
  const { loadOrCreateIdentity } = await import(dist('core/identity.js'));
  const { ensureConfigDir } = await import(dist('core/config-dir.js'));

  const tmp = mkdtempSync(path.join(os.tmpdir(), 'peerdeck-bench-preauth-'));
  const children = [];
  try {
    const V = path.join(tmp, 'victim');
    const bob = await loadOrCreateIdentity(await ensureConfigDir(path.join(tmp, 'bob')));
    const cmd = (args) => {
      const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`peerdeck ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    const victimId = JSON.parse(cmd(['id', '--json', '--config-dir', V])).deviceId;
    cmd(['trust', 'add', bob.deviceId, 'bob', '--config-dir', V]);
    const victim = spawn(process.execPath, [cli, 'listen', '--json', '--config-dir', V, '--name', 'victim', '--port', '0', '--no-discovery'], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(victim);
    const port = await new Promise((resolve, reject) => {
      let buf = '';
      victim.stdout.on('data', (d) => {
        buf += d;
        const m = /"type":"listening"[^\n]*"port":(\d+)/.exec(buf);
        if (m) resolve(Number(m[1]));
      });
      victim.once('exit', () => reject(new Error('listen exited')));
    });

    const openSession = async () => {
      const t0 = performance.now();
      const sock = await dialTls({ host: '127.0.0.1', port, certPem: bob.certPem, keyPem: bob.keyPem, alpn: ALPN_SESSION, clock: systemClock, expectedDeviceId: victimId });
      const ch = new MessageChannel(sock);
      const tie = sock.exportKeyingMaterial(SESSION_TIEBREAK_BYTES, SESSION_TIEBREAK_LABEL);
      return new Promise((resolve, reject) => {
        new Session(victimId, true, tie, sock.remoteAddress, ch, { selfName: 'bob', listenPort: 0 }, systemClock, {
          onReady: (s) => { resolve(performance.now() - t0); s.close('ERR_CONNECTION_CLOSED', 'done', true); },
          onMessage: () => {}, onRtt: () => {},
          onClosed: (_s, why) => reject(new Error(`${why.code}: ${why.message}`)),
        });
      });
    };
    const series = async () => {
      const ms = [];
      let failed = 0;
      for (let i = 0; i < Math.max(TRIES, TRIES * opts.runs); i++) {
        try { ms.push(await openSession()); } catch { failed++; }
        await sleep(50);
      }
      return { ms, failed };
    };

    await openSession(); // bob had a session before (as a real peer would): his address is on record
    const quiet = await series();
    const attacker = spawn(process.execPath, [path.join(repo, 'bench', 'lib', 'preauth-attacker.mjs'), '--port', String(port), '--conns', String(ATTACK_CONNS), '--mode', 'silent', '--sources', '127.0.0.2'], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(attacker);
    let stats = {};
    attacker.stdout.on('data', (d) => { const l = String(d).trim().split('\n').at(-1); try { stats = JSON.parse(l); } catch { /* partial line */ } });
    while ((stats.connects ?? 0) < ATTACK_CONNS) await sleep(100);
    await sleep(1200); // past the first-bytes deadline once
    const attacked = await series();
    attacker.kill('SIGTERM');
    const line = (name, r) => `${name}: p50 ${pct(r.ms, 50)?.toFixed(0) ?? 'n/a'} ms, p99 ${pct(r.ms, 99)?.toFixed(0) ?? 'n/a'} ms, ${r.ms.length}/${r.ms.length + r.failed} sessions`;
    log('case preauth: pinned peer opens a session (TCP + TLS + pin + HELLO/ACCEPT) against `peerdeck listen`');
    log(`  ${line('no attack                          ', quiet)}`);
    log(`  ${line(`${ATTACK_CONNS} silent conns from 127.0.0.2 held`, attacked)} (attacker made ${stats.connects} connects)`);
    return { quiet: { p50: pct(quiet.ms, 50), p99: pct(quiet.ms, 99), ok: quiet.ms.length, failed: quiet.failed }, attacked: { p50: pct(attacked.ms, 50), p99: pct(attacked.ms, 99), ok: attacked.ms.length, failed: attacked.failed, attacker: stats } };
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    rmSync(tmp, { recursive: true, force: true });
  }
}
