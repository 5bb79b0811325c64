/**
 * Pairing as slow humans do it, over real processes: a code read for 30 s
 * (twice the connection idle timeout) still pairs; `pair` in a real terminal
 * notices at once when the other side rejects or its engine goes away, while
 * it is still asking.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, Daemon, freeUdpPort, requireBuild, run, tempDir } from './cli-harness.js';
import { hasTmux, Tmux } from './tmux.js';

const tmuxMissing = !hasTmux();
if (tmuxMissing) console.warn('SKIPPED pairing tmux e2e: tmux is not installed');

const node = JSON.stringify(process.execPath);
const cli = JSON.stringify(CLI);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(tmuxMissing)('pairing over real processes, with humans who take their time', () => {
  const tmux = new Tmux();
  const dirs: ReturnType<typeof tempDir>[] = [];
  const daemons: Daemon[] = [];
  beforeAll(requireBuild);
  afterAll(async () => {
    tmux.kill();
    await Promise.all(daemons.map((d) => d.stop('SIGKILL')));
    dirs.forEach((d) => d.remove());
  });
  const dir = () => {
    const d = tempDir();
    dirs.push(d);
    return d;
  };
  const ids = async (d: { path: string }) => JSON.parse((await run(['id', '--json', '--config-dir', d.path])).stdout) as { deviceId: string; shortId: string };
  const exitStatus = async (path: string, timeoutMs = 5_000): Promise<number> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      try {
        return Number(readFileSync(`${path}/exit-status`, 'utf8').trim());
      } catch {
        if (Date.now() > end) throw new Error('no exit status');
        await sleep(100);
      }
    }
  };

  it('two dashboards: the code answered after 30 s pairs on both sides', async () => {
    const [a, b] = [dir(), dir()];
    const [idA, idB] = await Promise.all([ids(a), ids(b)]);
    const disc = await freeUdpPort();
    const cmd = (d: string, name: string) =>
      `CI=true ${node} ${cli} --in-process --config-dir ${d} --name ${name} --port 0 --discovery-port ${disc} --broadcast 127.255.255.255 --downloads ${d}/downloads`;
    tmux.start('A', cmd(a.path, 'alice'));
    tmux.start('B', cmd(b.path, 'bob'));
    await tmux.waitFor('A', new RegExp(`bob ${idB.shortId} \\?`));
    await tmux.waitFor('B', new RegExp(`alice ${idA.shortId} \\?`));
    tmux.keys('A', 'p');
    const codeA = (await tmux.waitFor('A', /Code\s+(\d{3} \d{3})/))[1];
    expect((await tmux.waitFor('B', /Code\s+(\d{3} \d{3})/))[1]).toBe(codeA);

    await sleep(30_000); // reading and comparing, slowly

    expect(tmux.screen('A')).toMatch(/Code\s+\d{3} \d{3}/);
    expect(tmux.screen('B')).toMatch(/Code\s+\d{3} \d{3}/);
    tmux.keys('A', 'y');
    tmux.keys('B', 'y');
    await tmux.waitFor('A', new RegExp(`bob ${idB.shortId} ✓`));
    await tmux.waitFor('B', new RegExp(`alice ${idA.shortId} ✓`));
    expect(tmux.screen('A')).not.toMatch(/failed/);
    expect(tmux.screen('B')).not.toMatch(/failed/);
  }, 90_000);

  it("'pair' stops asking and says who ended it and why: a rejection, then a vanished peer", async () => {
    const [a, b] = [dir(), dir()];
    const [idA, idB] = await Promise.all([ids(a), ids(b)]);
    const disc = await freeUdpPort();
    const listen = (d: string, name: string) => {
      const l = new Daemon(['listen', '--json', '--config-dir', d, '--name', name, '--port', '0', '--discovery-port', String(disc), '--broadcast', '127.255.255.255']);
      daemons.push(l);
      return l;
    };
    const la = listen(a.path, 'alice');
    const lb = listen(b.path, 'bob');
    await la.waitFor((e) => e.type === 'peer-discovered' && e.deviceId === idB.deviceId, 10_000, 'alice sees bob');

    // 1. Bob rejects while alice's `pair` is still asking: it says so at once, without a keypress.
    tmux.start('P1', `${node} ${cli} pair ${idB.deviceId.slice(0, 8)} --config-dir ${a.path}; echo $? > ${a.path}/exit-status`);
    await tmux.waitFor('P1', /same code\? \((1:5\d|2:00) left to answer\) \[y\/N\]/);
    await lb.waitFor((e) => e.type === 'pair-request' && e.deviceId === idA.deviceId, 10_000, 'request at bob');
    const rejected = await run(['pair', '--reject', idA.deviceId.slice(0, 7), '--config-dir', b.path]);
    expect(rejected.code).toBe(0);
    await tmux.waitFor('P1', /not paired with bob: bob rejected the pairing/, 5_000);
    expect(await exitStatus(a.path)).toBe(3);
    expect(tmux.screen('P1')).not.toMatch(/no peer matches|p\d+-[A-Z2-7]{7}/);

    // 2. Bob's engine dies while alice's `pair` is asking: it says the link is gone, exit 1.
    await sleep(1_000);
    tmux.start('P2', `rm -f ${a.path}/exit-status; ${node} ${cli} pair ${idB.deviceId.slice(0, 8)} --config-dir ${a.path}; echo $? > ${a.path}/exit-status`);
    await tmux.waitFor('P2', /left to answer\) \[y\/N\]/);
    await lb.stop('SIGKILL');
    await tmux.waitFor('P2', /not paired with bob: the connection closed during pairing/, 5_000);
    expect(await exitStatus(a.path)).toBe(1);
    expect(la.events.filter((e) => e.type === 'paired')).toEqual([]);
  }, 60_000);
});
