import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon, freeUdpPort, requireBuild, run, tempDir } from './cli-harness.js';

beforeAll(requireBuild);

const dirs: Array<{ remove(): void }> = [];
const daemons: Daemon[] = [];
afterAll(async () => {
  await Promise.all(daemons.map((d) => d.stop('SIGKILL')));
  dirs.forEach((d) => d.remove());
});

function listen(dir: string, name: string, discoveryPort: number, port = 0): Daemon {
  const d = new Daemon(['listen', '--json', '--config-dir', dir, '--name', name, '--port', String(port), '--discovery-port', String(discoveryPort), '--broadcast', '127.255.255.255']);
  daemons.push(d);
  return d;
}

async function idOf(dir: string): Promise<string> {
  return JSON.parse((await run(['id', '--json', '--config-dir', dir])).stdout).deviceId as string;
}

describe('peers over real processes: discovery, pairing, chat, restart', () => {
  it('two listeners discover each other, pair through their engines, chat both ways, and say goodbye', async () => {
    const a = tempDir();
    const b = tempDir();
    dirs.push(a, b);
    const [idA, idB] = await Promise.all([idOf(a.path), idOf(b.path)]);
    const disc = await freeUdpPort();
    const la = listen(a.path, 'alice', disc);
    const lb = listen(b.path, 'bob', disc);
    const t0 = Date.now();
    await Promise.all([
      la.waitFor((e) => e.type === 'peer-discovered' && e.deviceId === idB, 10_000, 'alice discovers bob'),
      lb.waitFor((e) => e.type === 'peer-discovered' && e.deviceId === idA, 10_000, 'bob discovers alice'),
    ]);
    const discoveryMs = Date.now() - t0;
    expect(discoveryMs).toBeLessThan(10_000);

    // `pair` from another process goes through alice's running engine; bob's human answers with --accept.
    const pairing = run(['pair', idB.slice(0, 8), '--config-dir', a.path], { input: 'y\n', timeoutMs: 30_000 });
    const req = await lb.waitFor((e) => e.type === 'pair-request' && e.deviceId === idA, 10_000, 'pair request at bob');
    expect(req.code).toMatch(/^\d{6}$/);
    const wrong = await run(['pair', '--config-dir', b.path, '--accept', idA.slice(0, 7), '--code', '000000'.replace(/0/g, (_, i: number) => String((Number((req.code as string)[i]) + 1) % 10))]);
    expect(wrong.code).toBe(5);
    const failedA = await pairing;
    expect(failedA.code).not.toBe(0);
    expect(JSON.parse((await run(['trust', 'list', '--json', '--config-dir', b.path])).stdout || 'null')).toBeNull();

    // Second attempt with the right code.
    const pairing2 = run(['pair', idB.slice(0, 8), '--config-dir', a.path], { input: 'y\n', timeoutMs: 30_000 });
    const req2 = await lb.waitFor((e) => e.type === 'pair-request' && e.deviceId === idA && e.code !== req.code, 10_000, 'second request');
    const accepted = await run(['pair', '--config-dir', b.path, '--accept', idA.slice(0, 7), '--code', req2.code as string]);
    expect(accepted.code).toBe(0);
    expect((await pairing2).code).toBe(0);
    await la.waitFor((e) => e.type === 'peer-online' && e.deviceId === idB, 10_000, 'session up');

    // chat from separate processes while listen runs: it goes through the running engine
    const hostile = 'hi \u001b]0;pwned\u0007 \u001b[2J bob';
    const c1 = await run(['chat', 'bob', hostile, '--config-dir', a.path]);
    expect(c1.code).toBe(0);
    const got = await lb.waitFor((e) => e.type === 'chat-received' && e.deviceId === idA, 5_000, 'chat at bob');
    expect(got.text).toBe(hostile);
    // the listener wrote that event with the escapes as \u sequences: no raw ESC or BEL in its output
    expect(la.events.some((e) => e.type === 'chat-queued')).toBe(true);
    const c2 = await run(['chat', idA.slice(0, 7), 'hello alice', '--config-dir', b.path, '--json']);
    expect(c2.code).toBe(0);
    expect(JSON.parse(c2.stdout.trim().split('\n').at(-1)!)).toMatchObject({ type: 'chat-delivered' });
    await la.waitFor((e) => e.type === 'chat-received' && e.text === 'hello alice', 5_000, 'chat at alice');

    // peers --json through the running engine
    const peers = await run(['peers', '--json', '--config-dir', a.path]);
    const rows = peers.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toContainEqual(expect.objectContaining({ deviceId: idB, verified: true, state: 'online' }));

    // Clean exit: SIGINT → 130, the other side sees the peer leave.
    const exitA = await la.stop('SIGINT');
    expect({ code: exitA.code, stderr: la.stderr }).toEqual({ code: 130, stderr: '' });
    await lb.waitFor((e) => e.type === 'peer-left' && e.deviceId === idA, 5_000, 'peer-left at bob');

    // Chat to alice while she is down: queued, exit 4; delivered once she is back.
    const queued = await run(['chat', 'alice', 'while you were away', '--config-dir', b.path, '--json']);
    expect(queued.code).toBe(4);
    const la2 = listen(a.path, 'alice', disc);
    await la2.waitFor((e) => e.type === 'chat-received' && e.text === 'while you were away', 20_000, 'queued chat delivered');
    await lb.waitFor((e) => e.type === 'chat-delivered', 20_000, 'delivery confirmed at bob');
    const exitB = await lb.stop('SIGTERM');
    expect({ code: exitB.code, stderr: lb.stderr }).toEqual({ code: 143, stderr: '' });
    await la2.stop('SIGTERM');
    const raw = la.events.map((e) => JSON.stringify(e)).join('');
    expect(raw).not.toMatch(/[\u001b\u0007]/);
  }, 90_000);

  it('refuses a pinned peer that presents another certificate, loudly', async () => {
    const a = tempDir();
    const b = tempDir();
    const impostor = tempDir();
    dirs.push(a, b, impostor);
    const idB = await idOf(b.path);
    const disc = await freeUdpPort();
    const port = disc; // a TCP port equal to a just-free UDP port number is very likely free too
    // alice pins bob at a fixed address; an impostor with another identity listens there.
    expect((await run(['trust', 'add', idB, 'bob', '--config-dir', a.path])).code).toBe(0);
    const li = listen(impostor.path, 'bob', disc, port);
    await li.waitFor((e) => e.type === 'listening', 10_000);
    const la = listen(a.path, 'alice', disc);
    await la.waitFor((e) => e.type === 'peer-discovered', 5_000, 'impostor discovered');
    const changed = await la.waitFor((e) => e.type === 'cert-changed', 2_000, 'cert-changed').catch(() => undefined);
    // alice knows bob only by pin (no address yet): she learns the address from discovery, where
    // the impostor announces its own (different) ID, so nothing is dialled: no session, no cert change.
    expect(changed).toBeUndefined();
    expect(la.events.some((e) => e.type === 'peer-online')).toBe(false);
    await la.stop();
    // Now give alice bob's address as a pinned address: dialling it hits the impostor → refused loudly.
    const conf = (await import('node:fs')).readFileSync(`${a.path}/config.json`, 'utf8');
    const data = JSON.parse(conf) as { pins: Record<string, { address?: string }> };
    data.pins[idB]!.address = `127.0.0.1:${port}`;
    (await import('node:fs')).writeFileSync(`${a.path}/config.json`, JSON.stringify(data));
    const la2 = listen(a.path, 'alice', disc);
    const ev = await la2.waitFor((e) => e.type === 'cert-changed', 10_000, 'cert-changed');
    expect(ev.expected).toBe(idB);
    expect(la2.events.some((e) => e.type === 'peer-online')).toBe(false);
    await Promise.all([la2.stop(), li.stop()]);
  }, 60_000);
});
