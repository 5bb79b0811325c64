/**
 * Usage errors and small CLI contracts, on the real CLI (dist/cli.js).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, requireBuild, run, tempDir } from './cli-harness.js';

const dir = tempDir();
beforeAll(requireBuild);
afterAll(() => dir.remove());

describe('usage errors exit 2 and say what was meant', () => {
  it('an unknown flag names the command and the closest flag', async () => {
    const r = await run(['listen', '--prot', '5', '--config-dir', dir.path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/listen: unknown flag --prot; did you mean --port\?/);
    const far = await run(['chat', '--zzzzzz', 'x', 'y']);
    expect(far.code).toBe(2);
    expect(far.stderr).toMatch(/chat: unknown flag --zzzzzz \(see 'peerdeck chat --help'\)/);
  });

  it('an unknown command gets a "did you mean"', async () => {
    for (const [typo, meant] of [['lisen', 'listen'], ['sned', 'send'], ['recieve', 'receive']]) {
      const r = await run([typo!]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`did you mean '${meant}'?`);
    }
    expect((await run(['frobnicate'])).stderr).not.toMatch(/did you mean/);
  });

  it('numeric flags are decimal only: "", 0x50, 1e3, " 5", -1 and 70000 are refused before anything starts', async () => {
    for (const bad of ['', '0x50', '1e3', ' 5', '-1', '70000', '5.5']) {
      const r = await run(['listen', '--port', bad, '--no-discovery', '--config-dir', dir.path], { timeoutMs: 10_000 });
      expect(r.code, `--port ${JSON.stringify(bad)}: ${r.stdout}${r.stderr}`).toBe(2);
      expect(r.stdout).not.toMatch(/listening/);
    }
    for (const bad of ['1e1', '0x10', '']) {
      const r = await run(['peers', '--wait', bad, '--no-discovery', '--config-dir', dir.path]);
      expect(r.code, bad).toBe(2);
    }
    expect((await run(['listen', '--discovery-port', '0b11', '--config-dir', dir.path])).code).toBe(2);
  });

  it('a single-valued flag given twice is a usage error, like every other', async () => {
    const r = await run(['id', '--config-dir', dir.path, '--config-dir', join(dir.path, 'other')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--config-dir given more than once/);
    // Repeatable flags stay repeatable.
    expect((await run(['peers', '--wait', '0', '--broadcast', '127.255.255.255', '--broadcast', '127.0.0.255', '--discovery-port', '1', '--config-dir', dir.path])).code).toBe(0);
  });
});

describe('small contracts', () => {
  it('id --json has a type like every other JSON line', async () => {
    const r = await run(['id', '--json', '--config-dir', dir.path]);
    const j = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(j)[0]).toBe('type');
    expect(j.type).toBe('id');
  });

  it('the exit-code table is in peerdeck --help once, not in each command', async () => {
    const top = await run(['--help']);
    expect(top.stdout.match(/^\s+143\s/gm)).toHaveLength(1);
    for (const c of ['chat', 'listen', 'send']) {
      const h = await run([c, '--help']);
      expect(h.stdout).not.toMatch(/^\s+143\s/m);
      expect(h.stdout).toMatch(/Exit codes: see 'peerdeck --help'/);
    }
  });

  it("under 'npm start -- hash ./x' a path resolves where the user stands (INIT_CWD), not in the package folder", () => {
    const where = tempDir();
    try {
      writeFileSync(join(where.path, 'x'), 'hello\n');
      const r = spawnSync('npm', ['--prefix', ROOT, 'start', '-s', '--', 'hash', './x', '--json'], { cwd: where.path, encoding: 'utf8', timeout: 30_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).path).toBe(join(where.path, 'x'));
    } finally {
      where.remove();
    }
  });
});
