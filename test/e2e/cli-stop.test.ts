/**
 * Commands stop when asked: signals, a closed stdout, a bad PEER, a config dir
 * that cannot exist, an engine that does not answer; and nothing they leave
 * behind blocks the next start. Real CLI processes (dist/cli.js).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, Daemon, freeUdpPort, requireBuild, run, tempDir } from './cli-harness.js';

const dirs: Array<{ path: string; remove(): void }> = [];
const dir = () => {
  const d = tempDir();
  dirs.push(d);
  return d.path;
};
const leftovers = (d: string) => ['engine.lock', 'control.sock'].filter((f) => existsSync(join(d, f)));
const idOf = async (d: string) => JSON.parse((await run(['id', '--json', '--config-dir', d])).stdout).deviceId as string;

async function stopWithin(daemon: Daemon, signal: NodeJS.Signals) {
  const t0 = Date.now();
  const r = await daemon.stop(signal);
  return { ...r, ms: Date.now() - t0 };
}

beforeAll(requireBuild);
afterAll(() => dirs.forEach((d) => d.remove()));

describe('an unknown or ambiguous PEER', () => {
  it('exits 2 at once, before any engine starts, for every command that takes one', async () => {
    const d = dir();
    await idOf(d);
    // Two pins that share a 7-character prefix are hard to make; two with one name are not.
    const a = await idOf(dir());
    const b = await idOf(dir());
    expect((await run(['trust', 'add', a, 'twin', '--config-dir', d])).code).toBe(0);
    expect((await run(['trust', 'add', b, 'twin', '--config-dir', d])).code).toBe(0);
    const cases = [
      ['receive', '--from', 'NOSUCHPEER', '--port', '0', '--no-discovery'],
      ['receive', '--from', 'twin', '--port', '0', '--no-discovery'],
      ['chat', 'NOSUCHPEER', 'hi', '--no-discovery'],
      ['send', 'NOSUCHPEER', d, '--no-discovery'],
      ['send', 'twin', d, '--no-discovery'],
      ['trust', 'remove', 'NOSUCHPEER'],
    ];
    for (const args of cases) {
      const r = await run([...args, '--config-dir', d], { timeoutMs: 10_000 });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stdout, args.join(' ')).not.toMatch(/listening on/);
      expect(r.stderr).toMatch(/no trusted peer matches|matches 2 peers/);
      expect(leftovers(d)).toEqual([]);
    }
  });
});

describe('long-running commands stop on the first signal within 2 s', () => {
  it('listen and receive: SIGTERM → 143, SIGINT → 130, no lock or socket left', async () => {
    for (const [cmd, signal, code] of [
      ['listen', 'SIGTERM', 143],
      ['listen', 'SIGINT', 130],
      ['receive', 'SIGTERM', 143],
      ['receive', 'SIGINT', 130],
    ] as const) {
      const d = dir();
      const daemon = new Daemon([cmd, '--json', '--config-dir', d, '--port', '0', '--no-discovery', '--downloads', join(d, 'dl')]);
      await daemon.waitFor((e) => e.type === 'listening');
      const r = await stopWithin(daemon, signal);
      expect(r.code, `${cmd} ${signal}: ${daemon.stderr}`).toBe(code);
      expect(r.ms).toBeLessThan(2000);
      expect(leftovers(d)).toEqual([]);
    }
  });

  it('send --wait to an offline peer: SIGTERM → 143 at once, the item stays queued, no lock left', async () => {
    const d = dir();
    const other = await idOf(dir());
    await run(['trust', 'add', other, 'bob', '--config-dir', d]);
    writeFileSync(join(d, 'file.txt'), 'hello');
    const daemon = new Daemon(['send', 'bob', join(d, 'file.txt'), '--wait', '--json', '--no-discovery', '--config-dir', d]);
    await daemon.waitFor((e) => e.type === 'outbox-queued');
    const r = await stopWithin(daemon, 'SIGTERM');
    expect(r.code, daemon.stderr).toBe(143);
    expect(r.ms).toBeLessThan(2000);
    expect(leftovers(d)).toEqual([]);
    const list = await run(['outbox', 'list', '--json', '--config-dir', d]);
    expect(list.stdout).toMatch(/"state":"queued"/);
  });
});

describe('a closed stdout and stale files', () => {
  it('listen --json whose reader went away (| head -1) stops cleanly: 141, no stack trace, nothing left', async () => {
    const d = dir();
    const disc = await freeUdpPort();
    const child = spawn(process.execPath, [CLI, 'listen', '--json', '--config-dir', d, '--port', '0', '--discovery-port', String(disc), '--broadcast', '127.255.255.255'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    await new Promise<void>((r) => child.stdout.once('data', () => r()));
    child.stdout.destroy(); // like `head -1` exiting after its line
    // Another peer appears: the next event line meets the closed pipe.
    const other = new Daemon(['listen', '--json', '--config-dir', dir(), '--name', 'other', '--port', '0', '--discovery-port', String(disc), '--broadcast', '127.255.255.255']);
    try {
      expect(await exited).toBe(141);
    } finally {
      await other.stop();
    }
    expect(stderr).not.toMatch(/EPIPE|at .*\.js:\d+/);
    expect(leftovers(d)).toEqual([]);
  }, 30_000);

  it('a lock and socket left by a killed engine never block the next start', async () => {
    const d = dir();
    const first = new Daemon(['listen', '--json', '--config-dir', d, '--port', '0', '--no-discovery']);
    await first.waitFor((e) => e.type === 'listening');
    await first.stop('SIGKILL');
    expect(leftovers(d).sort()).toEqual(['control.sock', 'engine.lock']);
    const second = new Daemon(['listen', '--json', '--config-dir', d, '--port', '0', '--no-discovery']);
    await second.waitFor((e) => e.type === 'listening');
    expect((await run(['peers', '--json', '--config-dir', d], { timeoutMs: 10_000 })).code).toBe(0);
    expect((await second.stop()).code).toBe(143);
    expect(leftovers(d)).toEqual([]);
  });

  it('an engine that holds the lock but does not answer (a stopped job) makes commands fail in seconds, saying so', async () => {
    const d = dir();
    const daemon = new Daemon(['listen', '--json', '--config-dir', d, '--port', '0', '--no-discovery']);
    await daemon.waitFor((e) => e.type === 'listening');
    daemon.child.kill('SIGSTOP');
    try {
      const t0 = Date.now();
      const r = await run(['pair', '--accept', 'ABCDEFG', '--code', '123456', '--config-dir', d], { timeoutMs: 15_000 });
      expect(Date.now() - t0).toBeLessThan(8000);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/does not answer.*stopped.*kill -CONT/s);
    } finally {
      daemon.child.kill('SIGCONT');
      await daemon.stop();
    }
  });
});

describe('a config dir that cannot be created or written', () => {
  it('exits 1 within a second or so, naming the path and the reason', async () => {
    for (const bad of ['/proc/peerdeck-x', '/proc/self/peerdeck/x']) {
      const t0 = Date.now();
      const r = await run(['id', '--config-dir', bad], { timeoutMs: 10_000 });
      expect(r.code).toBe(1);
      expect(Date.now() - t0).toBeLessThan(3000);
      expect(r.stderr).toContain(bad.split('/').slice(0, 3).join('/'));
      expect(r.stderr).toMatch(/cannot (create|write)/);
    }
    const file = join(dir(), 'a-file');
    writeFileSync(file, '');
    mkdirSync(join(dir(), 'x'));
    const r = await run(['id', '--config-dir', join(file, 'sub')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is a file, not a directory/);
  });
});

describe('the outbox without an engine', () => {
  it('attempts do not rise while no engine runs; retry makes a real attempt (4 unreachable, 0 delivered); send prints outbox-queued once', async () => {
    const [a, b] = [dir(), dir()];
    const [idA, idB] = [await idOf(a), await idOf(b)];
    await run(['trust', 'add', idB, 'bob', '--config-dir', a]);
    await run(['trust', 'add', idA, 'alice', '--config-dir', b]);
    const chat = await run(['chat', 'bob', 'hello later', '--no-discovery', '--json', '--config-dir', a]);
    expect(chat.code).toBe(4);
    writeFileSync(join(a, 'f.txt'), 'x');
    const send = await run(['send', 'bob', join(a, 'f.txt'), '--no-discovery', '--json', '--config-dir', a]);
    expect(send.code).toBe(4);
    expect(send.stdout.split('\n').filter((l) => l.includes('"outbox-queued"'))).toHaveLength(1);
    const list = async () => (await run(['outbox', 'list', '--json', '--config-dir', a])).stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; kind: string; attempts: number; state: string });
    for (let i = 0; i < 3; i++) await run(['peers', '--wait', '0', '--no-discovery', '--config-dir', a]);
    const items = await list();
    expect(items.map((i) => [i.kind, i.state])).toEqual([['chat', 'queued'], ['send', 'queued']]);
    expect(items.map((i) => i.attempts)).toEqual([0, 0]);
    const chatId = items[0]!.id;
    // Retry with the peer away: a private engine tries, and says it did not get through.
    const away = await run(['outbox', 'retry', chatId.slice(0, 8), '--no-discovery', '--peer', '127.0.0.1:9', '--config-dir', a], { timeoutMs: 30_000 });
    expect(away.code, away.stderr).toBe(4);
    expect(away.stderr).toMatch(/stays queued/);
    // Bob is back: the retry delivers it and exits 0.
    const bob = new Daemon(['listen', '--json', '--config-dir', b, '--port', '0', '--no-discovery']);
    try {
      const port = (await bob.waitFor((e) => e.type === 'listening')).port as number;
      const back = await run(['outbox', 'retry', chatId, '--no-discovery', '--peer', `127.0.0.1:${port}`, '--json', '--config-dir', a], { timeoutMs: 30_000 });
      expect(back.code, back.stderr + back.stdout).toBe(0);
      expect(back.stdout).toMatch(/"state":"delivered"/);
      await bob.waitFor((e) => e.type === 'chat-received' && e.text === 'hello later');
    } finally {
      await bob.stop();
    }
    const cleared = await run(['outbox', 'clear', '--json', '--config-dir', a]);
    expect(cleared.stdout).toMatch(/"dropped":1/);
    expect((await list()).map((i) => i.kind)).toEqual(['send']);
  }, 90_000);
});
