import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, freeUdpPort, requireBuild, run, tempDir } from './cli-harness.js';
import { hasTmux, Tmux } from './tmux.js';

const tmuxMissing = !hasTmux();
if (tmuxMissing) console.warn('SKIPPED dashboard e2e: tmux is not installed (apt-get install tmux; .ci/run installs it)');

describe.skipIf(tmuxMissing)('two real dashboards in tmux, driven by keys only', () => {
  const tmux = new Tmux();
  const dirs = [tempDir(), tempDir()];
  beforeAll(requireBuild);
  afterAll(() => {
    tmux.kill();
    dirs.forEach((d) => d.remove());
  });

  it('see each other, pair with the same code, chat both ways, send a file accepted with y, and quit cleanly', async () => {
    const [a, b] = dirs as [ReturnType<typeof tempDir>, ReturnType<typeof tempDir>];
    const [idA, idB] = await Promise.all(
      [a, b].map(async (d) => JSON.parse((await run(['id', '--json', '--config-dir', d.path])).stdout).shortId as string),
    );
    const disc = await freeUdpPort();
    // The exit status goes to a file: tmux can mark a pane dead before it learns how it ended.
    const cmd = (dir: string, name: string) =>
      `CI=true ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} --in-process --config-dir ${dir} --name ${name} --port 0 --discovery-port ${disc} --broadcast 127.255.255.255 --downloads ${dir}/downloads; echo $? > ${dir}/exit-status`;
    const exitStatus = (dir: string): number | undefined => {
      try {
        return Number(readFileSync(`${dir}/exit-status`, 'utf8').trim());
      } catch {
        return undefined;
      }
    };
    tmux.start('A', cmd(a.path, 'alice'));
    tmux.start('B', cmd(b.path, 'bob'));

    // They see each other (unverified: "?").
    await tmux.waitFor('A', new RegExp(`bob ${idB} \\?`));
    await tmux.waitFor('B', new RegExp(`alice ${idA} \\?`));

    // Pair: alice presses p on bob; both screens show the same code; both confirm.
    tmux.keys('A', 'p');
    const codeA = (await tmux.waitFor('A', /Code\s+(\d{3} \d{3})/))[1];
    const codeB = (await tmux.waitFor('B', /Code\s+(\d{3} \d{3})/))[1];
    expect(codeA).toBe(codeB);
    tmux.keys('A', 'y');
    tmux.keys('B', 'y');
    await tmux.waitFor('A', new RegExp(`bob ${idB} ✓`));
    await tmux.waitFor('B', new RegExp(`alice ${idA} ✓`));
    await tmux.waitFor('A', /● online/);

    // Chat both ways.
    tmux.keys('A', 'c');
    await tmux.waitFor('A', /Enter send/);
    tmux.keys('A', 'hello bob', 'Enter');
    await tmux.waitFor('B', /alice\s+hello bob/);
    await tmux.waitFor('A', /hello bob ✓✓ delivered/);
    tmux.keys('B', 'c');
    await tmux.waitFor('B', /Enter send/);
    tmux.keys('B', 'hi alice', 'Enter');
    await tmux.waitFor('A', /bob\s+hi alice/);

    // A burst in one read (text, two Backspaces, text) and a paste: handled key by key, the
    // screen shows the result at once (no further key), the peer gets exactly what is shown.
    tmux.burst('A', 'hello wor', 'BSpace', 'BSpace', 'rld there');
    await tmux.waitFor('A', /› hello wrld there/, 2000);
    tmux.paste('A', ' + «pasted»\n');
    await tmux.waitFor('A', /› hello wrld there \+ «pasted»/, 2000);
    tmux.burst('A', 'C-w', 'C-w', 'C-a', 'Right', 'X', 'End', '!', 'Enter');
    await tmux.waitFor('B', /alice\s+hXello wrld there !/);
    await tmux.waitFor('A', /hXello wrld there ! ✓✓ delivered/);
    expect(tmux.screen('B')).not.toMatch(/[␡\x7f]/);
    tmux.keys('A', 'Escape');
    tmux.keys('B', 'Escape');

    // Alice sends a file with s; bob accepts the offer with y; it arrives byte-identical.
    const payload = randomBytes(3 * 1024 * 1024 + 123);
    const src = join(a.path, 'holiday photo.bin');
    writeFileSync(src, payload);
    tmux.keys('A', 's');
    await tmux.waitFor('A', /Send to bob/);
    tmux.paste('A', src); // a pasted path with a space in it is one path
    await tmux.waitFor('A', /✓ file, 3\.0 MiB/);
    tmux.keys('A', 'Enter');
    await tmux.waitFor('B', /Incoming file/);
    await tmux.waitFor('B', /holiday photo\.bin/);
    tmux.keys('B', 'y');
    const landed = join(b.path, 'downloads', 'holiday photo.bin');
    const deadline = Date.now() + 20_000;
    while (!existsSync(landed) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(readFileSync(landed).equals(payload)).toBe(true);
    await tmux.waitFor('A', /✓ done/);

    // Quit: q on each, exit 0, the alternate screen is left.
    for (const [n, dir] of [['A', a.path], ['B', b.path]] as const) {
      tmux.keys(n, 'q');
      const deadline = Date.now() + 10_000;
      while (exitStatus(dir) === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      if (exitStatus(dir) !== 0) console.error(`${n}:\n${tmux.screen(n)}`);
      expect(exitStatus(dir)).toBe(0);
    }
    expect(tmux.screen('A')).not.toContain('Peers (');
  }, 90_000);
});
