/**
 * Settings, the daemon, status and stop, as real processes: `config` round trips and errors, a
 * running engine taking a new name at once, a daemon started from a tmux pane that outlives the
 * pane's hangup, and the headless commands working against it.
 */
import { existsSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, Daemon, freeUdpPort, requireBuild, run, tempDir } from './cli-harness.js';
import { Tmux, hasTmux } from './tmux.js';

beforeAll(requireBuild);

const dirs: Array<{ remove(): void }> = [];
const daemons: Daemon[] = [];
const stopLater: string[] = [];
afterAll(async () => {
  await Promise.all(daemons.map((d) => d.stop('SIGKILL')));
  await Promise.all(stopLater.map((dir) => run(['stop', '--config-dir', dir]).catch(() => undefined)));
  dirs.forEach((d) => d.remove());
});

function dir() {
  const d = tempDir();
  dirs.push(d);
  return d.path;
}

async function idOf(d: string): Promise<string> {
  return JSON.parse((await run(['id', '--json', '--config-dir', d])).stdout).deviceId as string;
}

const lines = (text: string) => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('peerdeck config', () => {
  it('set / get / list / unset round trip; id shows each value with its source; a flag wins for one run only', async () => {
    const a = dir();
    expect((await run(['config', 'set', 'name', 'desk', 'one', '--config-dir', a])).code).toBe(0);
    expect((await run(['config', 'set', 'port', '0', '--config-dir', a])).code).toBe(0);
    expect((await run(['config', 'set', 'peers', '127.0.0.1:4000,127.0.0.2:4001', '--config-dir', a])).code).toBe(0);
    expect((await run(['config', 'set', 'discovery', 'off', '--config-dir', a])).code).toBe(0);
    expect((await run(['config', 'get', 'name', '--config-dir', a])).stdout).toBe('desk one\n');
    const list = lines((await run(['config', 'list', '--json', '--config-dir', a])).stdout);
    expect(list.map((e) => e.key)).toEqual(['name', 'port', 'discovery-port', 'discovery', 'broadcast', 'peers', 'downloads', 'relay']);
    expect(list.find((e) => e.key === 'peers')).toMatchObject({ value: ['127.0.0.1:4000', '127.0.0.2:4001'], source: 'setting' });
    expect(list.find((e) => e.key === 'discovery-port')).toMatchObject({ value: 51515, source: 'default' });

    const id = JSON.parse((await run(['id', '--json', '--config-dir', a, '--name', 'flagged'], { env: { PEERDECK_DISCOVERY_PORT: '4999' } })).stdout);
    expect(id.name).toBe('flagged');
    expect(id.settings).toMatchObject({
      name: { value: 'flagged', source: 'flag' },
      port: { value: 0, source: 'setting' },
      'discovery-port': { value: 4999, source: 'env' },
      discovery: { value: false, source: 'setting' },
      broadcast: { value: [], source: 'default' },
    });
    expect((await run(['id', '--config-dir', a])).stdout).toMatch(/name\s+desk one\s+setting/);
    // the flag was for that run only
    expect((await run(['config', 'get', 'name', '--config-dir', a])).stdout).toBe('desk one\n');

    const unset = lines((await run(['config', 'unset', 'port', '--json', '--config-dir', a])).stdout)[0];
    expect(unset).toMatchObject({ type: 'setting-changed', key: 'port', value: 51515, source: 'default', applied: 'saved' });
    expect(JSON.parse(readFileSync(path.join(a, 'config.json'), 'utf8')).settings).not.toHaveProperty('listenPort');
  }, 60_000);

  it('unknown keys and bad values exit 2, suggest a near key, and change nothing', async () => {
    const a = dir();
    await run(['config', 'set', 'port', '4000', '--config-dir', a]);
    const before = readFileSync(path.join(a, 'config.json'), 'utf8');
    const typo = await run(['config', 'set', 'prot', '1', '--config-dir', a]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/did you mean port\?/);
    const json = await run(['config', 'get', 'nmae', '--json', '--config-dir', a]);
    expect(json.code).toBe(2);
    expect(lines(json.stdout)[0]).toMatchObject({ type: 'error', code: 'ERR_SETTING_UNKNOWN' });
    for (const [key, value] of [['port', '70000'], ['port', 'x'], ['discovery', 'maybe'], ['broadcast', 'not.an.ip'], ['peers', 'nohost']]) {
      const r = await run(['config', 'set', key!, value!, '--json', '--config-dir', a]);
      expect(r.code, `${key}=${value}`).toBe(2);
      expect(lines(r.stdout)[0]).toMatchObject({ type: 'error', code: 'ERR_SETTING_INVALID' });
    }
    expect((await run(['config', 'frob', '--config-dir', a])).code).toBe(2);
    expect((await run(['config', 'set', 'port', '--config-dir', a])).code).toBe(2);
    expect((await run(['id', '--config-dir', a], { env: { PEERDECK_PORT: 'abc' } })).code).toBe(2);
    expect(readFileSync(path.join(a, 'config.json'), 'utf8')).toBe(before);
  }, 60_000);

  it('a running engine takes a new name at once: the other peer sees it without a restart', async () => {
    const a = dir();
    const b = dir();
    const [idA] = await Promise.all([idOf(a), idOf(b)]);
    const disc = await freeUdpPort();
    // alice's name is a setting (a --name flag would win over `config set` for that run)
    expect((await run(['config', 'set', 'name', 'alice', '--config-dir', a])).code).toBe(0);
    const flags = ['--port', '0', '--discovery-port', String(disc), '--broadcast', '127.255.255.255'];
    const la = new Daemon(['listen', '--json', '--config-dir', a, ...flags]);
    const lb = new Daemon(['listen', '--json', '--config-dir', b, '--name', 'bob', ...flags]);
    daemons.push(la, lb);
    await lb.waitFor((e) => e.type === 'peer-discovered' && e.deviceId === idA && e.name === 'alice', 10_000, 'bob hears alice');

    const set = await run(['config', 'set', 'name', 'alice-2', '--json', '--config-dir', a]);
    expect(set.code).toBe(0);
    expect(lines(set.stdout)[0]).toMatchObject({ key: 'name', value: 'alice-2', applied: 'now' });
    // not safe to change under a running engine: saved for the next start
    const disco = await run(['config', 'set', 'discovery', 'on', '--json', '--config-dir', a]);
    expect(lines(disco.stdout)[0]).toMatchObject({ key: 'discovery', applied: 'restart' });
    // the engine was started with --port: the flag stays in force for this run
    const port = await run(['config', 'set', 'port', '0', '--json', '--config-dir', a]);
    expect(lines(port.stdout)[0]).toMatchObject({ key: 'port', applied: 'overridden' });
    // the engine announces the new name; bob's engine shows it
    await until('bob sees alice-2', async () => {
      const rows = lines((await run(['peers', '--json', '--config-dir', b])).stdout);
      return rows.find((r) => r.deviceId === idA && r.name === 'alice-2');
    });
    const st = lines((await run(['status', '--json', '--config-dir', a])).stdout)[0];
    expect(st).toMatchObject({ running: true, host: 'listen', name: 'alice-2' });
    // and it was saved: the next start uses it
    expect((await run(['config', 'get', 'name', '--config-dir', a])).stdout).toBe('alice-2\n');
    await la.stop();
    await lb.stop();
  }, 60_000);
});

describe.runIf(hasTmux())('peerdeck daemon, status, stop', () => {
  it('starts detached from a tmux pane, survives the pane hanging up, serves send/chat/peers, and stops cleanly', async () => {
    const a = dir();
    const b = dir();
    const [idA, idB] = await Promise.all([idOf(a), idOf(b)]);
    const disc = await freeUdpPort();
    const common = ['--port', '0', '--discovery-port', String(disc), '--broadcast', '127.255.255.255'];
    // scripted pairing: each pins the other
    expect((await run(['trust', 'add', idB, 'bob', '--config-dir', a])).code).toBe(0);
    expect((await run(['trust', 'add', idA, 'alice', '--auto-accept', '--config-dir', b])).code).toBe(0);
    await run(['config', 'set', 'name', 'alice', '--config-dir', a]);

    expect(lines((await run(['status', '--json', '--config-dir', a])).stdout)[0]).toMatchObject({ running: false });
    expect((await run(['status', '--config-dir', a])).code).toBe(1);

    const tmux = new Tmux();
    let pid: number;
    try {
      tmux.start('d', `${process.execPath} ${CLI} daemon --config-dir ${a} ${common.join(' ')}; echo "exit=$?"; sleep 120`);
      const m = await tmux.waitFor('d', /daemon running \(pid (\d+)\)[\s\S]*exit=(\d+)/, 20_000);
      pid = Number(m[1]);
      expect(m[2]).toBe('0');
      stopLater.push(a);
    } finally {
      // the terminal goes away: its processes get SIGHUP
      tmux.kill();
    }
    await new Promise((r) => setTimeout(r, 500));
    const st = lines((await run(['status', '--json', '--config-dir', a])).stdout)[0]!;
    expect(st).toMatchObject({ running: true, host: 'daemon', pid, name: 'alice' });
    expect(st.listening).toMatch(/:\d+$/);
    expect(readFileSync(path.join(a, 'daemon.log'), 'utf8')).toContain(`peerdeck daemon pid ${pid}`);
    if (existsSync(`/proc/${pid}/stat`)) {
      // its own session (and process group), no controlling terminal, stdin from /dev/null
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      expect({ pgrp: Number(f[2]), session: Number(f[3]), tty: Number(f[4]) }).toEqual({ pgrp: pid, session: pid, tty: 0 });
      expect(readlinkSync(`/proc/${pid}/fd/0`)).toBe('/dev/null');
    }

    // A second daemon for the identity is refused, naming the pid; another identity on its port too.
    const again = await run(['daemon', '--config-dir', a, ...common]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`pid ${pid}`);
    const taken = await run(['daemon', '--config-dir', dir(), '--no-discovery', '--port', String(st.listening).split(':').at(-1)!]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/EADDRINUSE|in use/);

    // bob receives; the headless commands on alice's side go through the daemon
    expect((await run(['config', 'set', 'downloads', path.join(b, 'dl'), '--config-dir', b])).code).toBe(0);
    const recv = new Daemon(['receive', '--accept', '--json', '--config-dir', b, '--name', 'bob', ...common]);
    daemons.push(recv);
    await until('bob online at the daemon', async () => {
      const rows = lines((await run(['peers', '--json', '--config-dir', a])).stdout);
      return rows.find((r) => r.deviceId === idB && r.state === 'online');
    }, 20_000);
    const chat = await run(['chat', 'bob', 'hello from the daemon', '--config-dir', a]);
    expect(chat.code).toBe(0);
    await recv.waitFor((e) => e.type === 'chat-received' && e.text === 'hello from the daemon', 5_000, 'chat at bob');
    const file = path.join(a, 'note.txt');
    writeFileSync(file, 'via the daemon\n');
    const send = await run(['send', 'bob', file, '--config-dir', a], { timeoutMs: 30_000 });
    expect(send.code).toBe(0);
    expect(readFileSync(path.join(b, 'dl', 'note.txt'), 'utf8')).toBe('via the daemon\n');
    // bob's running engine takes a new downloads folder at once
    const dl = await run(['config', 'set', 'downloads', path.join(b, 'dl2'), '--json', '--config-dir', b]);
    expect(lines(dl.stdout)[0]).toMatchObject({ applied: 'now' });
    expect(lines((await run(['status', '--json', '--config-dir', b])).stdout)[0]).toMatchObject({ host: 'receive' });
    writeFileSync(path.join(a, 'second.txt'), 'into the new folder\n');
    expect((await run(['send', 'bob', path.join(a, 'second.txt'), '--config-dir', a], { timeoutMs: 30_000 })).code).toBe(0);
    expect(readFileSync(path.join(b, 'dl2', 'second.txt'), 'utf8')).toBe('into the new folder\n');
    expect(existsSync(path.join(b, 'dl', 'second.txt'))).toBe(false);
    expect((await run(['outbox', 'list', '--json', '--config-dir', a])).code).toBe(0);
    expect((await run(['trust', 'list', '--json', '--config-dir', a])).code).toBe(0);
    const named = await run(['config', 'set', 'name', 'alice-d', '--json', '--config-dir', a]);
    expect(lines(named.stdout)[0]).toMatchObject({ applied: 'now' });
    const st2 = lines((await run(['status', '--json', '--config-dir', a])).stdout)[0]!;
    expect(st2).toMatchObject({ name: 'alice-d', peersOnline: 1, peersTrusted: 1, transfersActive: 0 });

    // pairing through the daemon: alice's side runs in it, carol answers from her own engine
    const c = dir();
    const idC = await idOf(c);
    const lc = new Daemon(['listen', '--json', '--config-dir', c, '--name', 'carol', ...common]);
    daemons.push(lc);
    await until('the daemon discovers carol', async () => lines((await run(['peers', '--json', '--config-dir', a])).stdout).find((r) => r.deviceId === idC), 20_000);
    const pairing = run(['pair', idC.slice(0, 8), '--config-dir', a], { input: 'y\n', timeoutMs: 30_000 });
    const req = await lc.waitFor((e) => e.type === 'pair-request' && e.deviceId === idA, 15_000, 'pair request at carol');
    expect((await run(['pair', '--config-dir', c, '--accept', idA.slice(0, 7), '--code', req.code as string])).code).toBe(0);
    expect((await pairing).code).toBe(0);
    expect(lines((await run(['trust', 'list', '--json', '--config-dir', a])).stdout)).toContainEqual(expect.objectContaining({ type: 'trusted', deviceId: idC }));
    await lc.stop();

    // stop: the daemon says goodbye, releases the identity and is gone when stop returns
    const stop = await run(['stop', '--config-dir', a]);
    expect(stop.code).toBe(0);
    expect(() => process.kill(pid, 0)).toThrow();
    expect(existsSync(path.join(a, 'engine.lock'))).toBe(false);
    expect(existsSync(path.join(a, 'control.sock'))).toBe(false);
    await recv.waitFor((e) => (e.type === 'peer-left' || e.type === 'peer-offline') && e.deviceId === idA, 5_000, 'bob sees alice leave');
    expect((await run(['status', '--config-dir', a])).code).toBe(1);
    expect((await run(['stop', '--config-dir', a])).code).toBe(0);
    expect(readFileSync(path.join(a, 'daemon.log'), 'utf8')).toMatch(/stopping \(peerdeck stop\)[\s\S]*stopped/);
    await recv.stop();
  }, 120_000);

  it('--foreground logs to stdout and exits 143 after a clean stop on SIGTERM', async () => {
    const a = dir();
    const fg = new Daemon(['daemon', '--foreground', '--json', '--config-dir', a, '--port', '0', '--no-discovery']);
    daemons.push(fg);
    const ready = await fg.waitFor((e) => e.type === 'daemon-ready', 15_000, 'ready');
    expect(ready.pid).toBe(fg.child.pid);
    expect(lines((await run(['status', '--json', '--config-dir', a])).stdout)[0]).toMatchObject({ running: true, host: 'daemon' });
    const exit = await fg.stop('SIGTERM');
    expect({ code: exit.code, stderr: fg.stderr }).toEqual({ code: 143, stderr: '' });
    expect(existsSync(path.join(a, 'engine.lock'))).toBe(false);
  }, 30_000);
});
