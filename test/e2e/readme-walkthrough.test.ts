/**
 * The README's two-peer walkthrough, run as it stands in a real terminal: an
 * interactive bash (job control on) in tmux types each line of the block, so
 * `&`, `kill %2` and `wait %2` are the shell's own, and the background
 * `listen`s share the terminal exactly as they do for a reader.
 *
 * Adapted, and only this: `peerdeck` is a wrapper for dist/cli.js on PATH;
 * /tmp/a and /tmp/b are fresh temp dirs; HOME is a temp dir (so ~/Downloads is
 * not the real one); a private discovery port is added next to each
 * --broadcast (other tests run in parallel on this machine); the placeholders
 * BOBS_ID_PREFIX / ALICES_ID_PREFIX / NNNNNN are filled in from `peerdeck id`
 * and the code alice's `pair` prints; "y" is typed at alice's prompt; the
 * line after "# in a second terminal" is typed into a second terminal.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, freeUdpPort, requireBuild, run, tempDir } from './cli-harness.js';
import { hasTmux, Tmux } from './tmux.js';

const tmuxMissing = !hasTmux();

/** The ```sh block after "Two peers on one machine" in the README. */
export function walkthroughBlock(readme: string): string[] {
  const at = readme.indexOf('Two peers on one machine');
  if (at < 0) throw new Error('README has no "Two peers on one machine" walkthrough');
  const start = readme.indexOf('```sh\n', at);
  const end = readme.indexOf('\n```', start + 6);
  return readme.slice(start + 6, end).split('\n');
}

describe.skipIf(tmuxMissing)('README walkthrough, typed into a real terminal', () => {
  const tmux = new Tmux();
  const work = tempDir('peerdeck-readme-');
  beforeAll(requireBuild);
  afterAll(() => {
    tmux.kill();
    work.remove();
  });

  it('runs line by line: background listens never prompt, pairing, chat, kill %2, receive, send', async () => {
    const lines = walkthroughBlock(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    const home = join(work.path, 'home');
    const bin = join(work.path, 'bin');
    const cwd = join(work.path, 'cwd');
    const [dirA, dirB] = [join(work.path, 'a'), join(work.path, 'b')];
    for (const d of [home, bin, cwd, join(cwd, 'photos')]) mkdirSync(d, { recursive: true });
    writeFileSync(join(cwd, 'photos', 'one.jpg'), 'not really a photo\n');
    writeFileSync(join(cwd, 'photos', 'two.jpg'), Buffer.alloc(300_000, 7));
    writeFileSync(join(bin, 'peerdeck'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"\n`);
    chmodSync(join(bin, 'peerdeck'), 0o755);
    const env = { HOME: home };
    const idOf = async (dir: string) => JSON.parse((await run(['id', '--json', '--config-dir', dir], { env })).stdout).deviceId as string;
    const [idA, idB] = [await idOf(dirA), await idOf(dirB)];
    const disc = await freeUdpPort();

    // Each terminal: an interactive bash that appends each command's exit status to a file.
    const status = (t: string) => join(work.path, `status-${t}`);
    for (const t of ['T1', 'T2']) {
      writeFileSync(status(t), '');
      const rc = join(work.path, `rc-${t}`);
      writeFileSync(rc, `PS1='$ '\nPROMPT_COMMAND='echo $? >> ${status(t)}'\ncd ${cwd}\nexport PATH=${bin}:$PATH HOME=${home}\nunset PEERDECK_CONFIG_DIR\n`);
      tmux.start(t, `bash --noprofile --rcfile ${rc} -i`, { columns: 200, rows: 50 });
    }
    const statuses = (t: string) => readFileSync(status(t), 'utf8').split('\n').filter(Boolean).map(Number);
    const waitStatus = async (t: string, count: number, timeoutMs = 30_000): Promise<number> => {
      const end = Date.now() + timeoutMs;
      while (statuses(t).length < count) {
        if (Date.now() > end) throw new Error(`${t}: command did not finish; screen:\n${tmux.screen(t)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      return statuses(t)[count - 1]!;
    };
    await waitStatus('T1', 1);
    await waitStatus('T2', 1);
    const type = (t: string, line: string) => tmux.keys(t, line, 'Enter');
    const adapt = (line: string, code = '') =>
      line
        .replaceAll('/tmp/a', dirA)
        .replaceAll('/tmp/b', dirB)
        .replaceAll('--broadcast 127.255.255.255', `--broadcast 127.255.255.255 --discovery-port ${disc}`)
        .replaceAll('BOBS_ID_PREFIX', idB.slice(0, 7))
        .replaceAll('ALICES_ID_PREFIX', idA.slice(0, 7))
        .replaceAll('NNNNNN', code);

    let code = '';
    let secondTerminal = false;
    const seen = { T1: statuses('T1').length, T2: statuses('T2').length };
    const results: Array<{ line: string; status: number }> = [];
    for (const raw of lines) {
      const line = raw.replace(/\s+#.*$/, '').trim();
      if (raw.trim().startsWith('#')) {
        if (/second terminal/.test(raw)) secondTerminal = true;
        continue;
      }
      if (!line) continue;
      const t = secondTerminal ? 'T2' : 'T1';
      secondTerminal = false;
      if (/^peerdeck peers /.test(line)) {
        // A reader looks again until bob shows up; so does this test (discovery takes a moment).
        for (let i = 0; ; i++) {
          type(t, adapt(line));
          const s = await waitStatus(t, ++seen[t]);
          if (tmux.screen(t).includes(`${idB.slice(0, 7)}  bob`) || i >= 20) {
            results.push({ line, status: s });
            break;
          }
          await new Promise((r) => setTimeout(r, 500));
        }
        continue;
      }
      type(t, adapt(line, code));
      if (/^peerdeck pair [A-Z_]+ /.test(line)) {
        const m = await tmux.waitFor('T1', /code: (\d{3}) (\d{3})[\s\S]*same code\?[^\n]*\[y\/N\]/);
        code = m[1]! + m[2]!;
        // Bob's background listen printed the request with the same code, and did not ask.
        await tmux.waitFor('T1', new RegExp(`pairing request from alice[^\\n]*code ${m[1]} ${m[2]}`));
        expect(tmux.screen('T1')).not.toMatch(/Pair with alice/);
        type('T1', 'y');
        seen.T1++; // its status is read after the second terminal's line
        continue;
      }
      if (t === 'T2') {
        results.push({ line, status: await waitStatus('T2', ++seen.T2) });
        results.push({ line: 'pair (first terminal)', status: await waitStatus('T1', seen.T1) });
        continue;
      }
      if (line.endsWith('&')) {
        // A background job: the prompt comes back at once.
        await waitStatus(t, ++seen[t]);
        if (/listen|receive/.test(line)) await tmux.waitFor(t, /running; Ctrl-C to stop|receiving into/);
        continue;
      }
      results.push({ line, status: await waitStatus(t, ++seen[t], 60_000) });
    }
    const screen = tmux.screen('T1');
    if (process.env.WALKTHROUGH_DEBUG) console.log(JSON.stringify(results), statuses('T1'), screen, tmux.screen('T2'));
    expect(results.map((r) => r.status), `${JSON.stringify(results)}\n${screen}`).toEqual(results.map(() => 0));
    // Every command line either terminal ran ended with status 0 (background launches count as 0).
    expect([...statuses('T1'), ...statuses('T2')].every((s) => s === 0), `${statuses('T1')} / ${statuses('T2')}\n${screen}`).toBe(true);
    expect(screen).not.toMatch(/Stopped/);
    const got = readdirSync(join(home, 'Downloads', 'photos')).sort();
    expect(got).toEqual(['one.jpg', 'two.jpg']);
    expect(readFileSync(join(home, 'Downloads', 'photos', 'two.jpg')).equals(Buffer.alloc(300_000, 7))).toBe(true);
    // 'pair PEER' as a background job cannot confirm: it says so and exits 2 instead of being stopped.
    const before = statuses('T1').length;
    type('T1', `peerdeck pair ${idB.slice(0, 7)} --config-dir ${dirA} &`);
    await waitStatus('T1', before + 1);
    await tmux.waitFor('T1', /confirm the code on this terminal: run it in the foreground/, 15_000);
    // bash reports a background job's end at its next prompt.
    await new Promise((r) => setTimeout(r, 1000));
    type('T1', 'jobs');
    await tmux.waitFor('T1', /Exit 2/, 15_000);
    expect(tmux.screen('T1')).not.toMatch(/Stopped/);
    // The last line stopped both engines: nothing is left behind.
    for (const d of [dirA, dirB]) {
      const end = Date.now() + 5000;
      while ((existsSync(join(d, 'engine.lock')) || existsSync(join(d, 'control.sock'))) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
      expect(existsSync(join(d, 'engine.lock')), d).toBe(false);
      expect(existsSync(join(d, 'control.sock')), d).toBe(false);
    }
  }, 180_000);
});
