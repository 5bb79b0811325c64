/**
 * The engine outlives the terminal (issue 12's must-show): bare `peerdeck` in tmux starts the
 * identity's engine as a daemon and attaches; a 1 GiB send to it is accepted in the dashboard;
 * the tmux server is killed (every pane hangs up, as when an SSH link drops) while the transfer
 * runs; a new `peerdeck` shows it still running; a real SIGHUP of that attached dashboard leaves
 * the daemon running too; a third dashboard sees it finish, byte-identical.
 *
 * So that "still running" does not depend on the machine's speed, both peers run in a network
 * namespace of the test's own (only its loopback, 127.0.0.1) whose loopback is rate-limited with
 * tc until the last dashboard is up. (A proxy cannot do it: the bulk connection is dialled at the
 * port the receiver announces, not through the address the session came in by.) Needs root, `ip`
 * and `tc`; skipped otherwise. The dashboards' control socket is a Unix socket, outside that limit.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, Daemon, requireBuild, run, tempDir } from './cli-harness.js';
import { Tmux, hasTmux } from './tmux.js';

const GIB = 1024 * 1024 * 1024;
const NETNS = `peerdeck-e2e-${process.pid}`;
const IN_NS = ['ip', 'netns', 'exec', NETNS];
const ns = (...cmd: string[]) => execFileSync(IN_NS[0]!, [...IN_NS.slice(1), ...cmd], { stdio: 'pipe' });

/** Root, `ip netns` and `tc` work here (a throwaway namespace is made and removed). */
function canShape(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const probe = `peerdeck-probe-${process.pid}`;
  const ok = spawnSync('ip', ['netns', 'add', probe]).status === 0;
  if (!ok) return false;
  const tc = spawnSync('ip', ['netns', 'exec', probe, 'tc', 'qdisc', 'show', 'dev', 'lo']).status === 0;
  spawnSync('ip', ['netns', 'del', probe]);
  return tc;
}
const shaping = hasTmux() && canShape();
if (!shaping) console.warn('SKIPPED detach e2e: needs tmux, root, ip netns and tc');

const lines = (text: string) => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function sha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('data', (d) => h.update(d))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

/** Running (an exited process its parent has not reaped yet, a zombie, is not). */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
};

describe.runIf(shaping)('a dashboard attached to a daemon goes away; the transfer does not', () => {
  const tmux = new Tmux();
  const a = tempDir();
  const b = tempDir();
  let send: Daemon | undefined;
  beforeAll(() => {
    requireBuild();
    execFileSync('ip', ['netns', 'add', NETNS]);
    ns('ip', 'link', 'set', 'lo', 'up');
    // 4 MiB/s: the 1 GiB would take minutes; the dashboards come and go in seconds
    ns('tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'tbf', 'rate', '32mbit', 'burst', '128kb', 'latency', '500ms');
  });
  afterAll(async () => {
    tmux.kill();
    await send?.stop('SIGKILL');
    await run(['stop', '--config-dir', b.path]).catch(() => undefined);
    spawnSync('ip', ['netns', 'del', NETNS]);
    a.remove();
    b.remove();
  });

  it('kill the tmux server mid-transfer, re-run peerdeck: still running; SIGHUP an attached dashboard: still running; it finishes byte-identical', async () => {
    const [idA, idB] = await Promise.all(
      [a, b].map(async (d) => JSON.parse((await run(['id', '--json', '--config-dir', d.path])).stdout).deviceId as string),
    );
    expect((await run(['trust', 'add', idB!, 'bob', '--config-dir', a.path])).code).toBe(0);
    expect((await run(['trust', 'add', idA!, 'alice', '--config-dir', b.path])).code).toBe(0);

    // 1 GiB: one random MiB repeated (what matters is that every byte arrives where it belongs)
    const src = path.join(a.path, 'big.bin');
    const block = randomBytes(1024 * 1024);
    const fd = openSync(src, 'w');
    for (let i = 0; i < GIB / block.length; i++) {
      block.writeUInt32BE(i, 0); // no two MiB alike
      writeSync(fd, block);
    }
    closeSync(fd);
    const downloads = path.join(b.path, 'dl');
    mkdirSync(downloads);

    // Bob's dashboard: bare peerdeck, which starts the daemon and attaches to it.
    const dashboard = (n: number) =>
      `echo $$ > ${b.path}/dash${n}.pid; exec ${IN_NS.join(' ')} ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} --config-dir ${b.path} --name bob --port 0 --no-discovery --downloads ${downloads}`;
    const dashPid = (n: number) => Number(readFileSync(`${b.path}/dash${n}.pid`, 'utf8').trim());
    tmux.start('b1', dashboard(1));
    await tmux.waitFor('b1', /Peers \(/, 30_000);
    const st = lines((await run(['status', '--json', '--config-dir', b.path])).stdout)[0]!;
    expect(st).toMatchObject({ running: true, host: 'daemon' });
    const daemonPid = st.pid as number;
    expect(daemonPid).not.toBe(dashPid(1));
    const bobPort = Number(String(st.listening).split(':').at(-1));

    // Alice (in the same namespace) sends; bob accepts in the dashboard with y.
    send = new Daemon(['send', 'bob', src, '--json', '--config-dir', a.path, '--name', 'alice', '--no-discovery', '--peer', `127.0.0.1:${bobPort}`], IN_NS);
    const sentBytes = () => Math.max(0, ...send!.events.filter((e) => e.type === 'transfer-progress').map((e) => e.bytes as number));
    await tmux.waitFor('b1', /Incoming file/, 30_000);
    await tmux.waitFor('b1', /big\.bin/);
    tmux.keys('b1', 'y');
    await send.waitFor((e) => e.type === 'transfer-progress' && (e.bytes as number) > 0, 30_000, 'progress at alice');
    await tmux.waitFor('b1', /big\.bin[^\n]*\b\d+%/, 10_000);

    // The terminal goes away: tmux's server dies, the pane's dashboard gets SIGHUP.
    tmux.kill();
    await until('the first dashboard is gone', () => (alive(dashPid(1)) ? undefined : true), 10_000);
    const mid = lines((await run(['status', '--json', '--config-dir', b.path])).stdout)[0]!;
    expect(mid).toMatchObject({ running: true, pid: daemonPid, transfersActive: 1 });
    const before = sentBytes();

    // A new peerdeck attaches to the same daemon and shows the transfer still running.
    tmux.start('b2', dashboard(2));
    const pct1 = Number((await tmux.waitFor('b2', /big\.bin[^\n]*\b(\d+)%/, 30_000))[1]);
    expect(pct1).toBeLessThan(100);
    expect(tmux.screen('b2')).not.toMatch(/Incoming file/); // answered once, in the first dashboard
    await until('bytes keep flowing', () => (sentBytes() > before + 4 * 1024 * 1024 ? true : undefined), 20_000);
    expect(sentBytes()).toBeLessThan(GIB);

    // A real SIGHUP to this attached dashboard (what sshd sends when the link drops).
    process.kill(dashPid(2), 'SIGHUP');
    await until('the second dashboard is gone', () => (alive(dashPid(2)) ? undefined : true), 10_000);
    expect(alive(daemonPid)).toBe(true);
    const after = lines((await run(['status', '--json', '--config-dir', b.path])).stdout)[0]!;
    expect(after).toMatchObject({ running: true, pid: daemonPid, transfersActive: 1 });

    // Full speed; a third dashboard sees it finish.
    ns('tc', 'qdisc', 'del', 'dev', 'lo', 'root');
    tmux.start('b3', dashboard(3));
    await tmux.waitFor('b3', /big\.bin[\s\S]*✓ done/, 240_000);
    const sent = await send.exited;
    expect(sent.code, send.stderr).toBe(0);
    const landed = path.join(downloads, 'big.bin');
    const [want, got] = await Promise.all([sha256(src), sha256(landed)]);
    expect(got).toBe(want);

    // Clean up the daemon: peerdeck stop; the attached dashboard says its engine went away.
    expect((await run(['stop', '--config-dir', b.path], { timeoutMs: 30_000 })).code).toBe(0);
    expect(alive(daemonPid)).toBe(false);
    expect((await run(['status', '--config-dir', b.path])).code).toBe(1);
  }, 400_000);
});
