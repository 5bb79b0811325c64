import { beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireBuild, run, tempDir } from './cli-harness.js';

beforeAll(requireBuild);

describe('peerdeck CLI basics (real processes)', () => {
  it('id --json prints exactly one object and is stable across runs', async () => {
    const dir = tempDir();
    try {
      const first = await run(['id', '--json', '--config-dir', dir.path]);
      expect(first.code).toBe(0);
      const lines = first.stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      const a = JSON.parse(lines[0]!) as Record<string, unknown>;
      expect(a).toMatchObject({ configDir: dir.path });
      expect(a.deviceId).toMatch(/^([A-Z2-7]{7}-){7}[A-Z2-7]{7}$/);
      expect(a.shortId).toBe((a.deviceId as string).slice(0, 7));
      expect(typeof a.name).toBe('string');
      const second = await run(['id', '--json', '--config-dir', dir.path]);
      expect(JSON.parse(second.stdout).deviceId).toBe(a.deviceId);
      // The environment variable picks the same directory.
      const viaEnv = await run(['id', '--json'], { env: { PEERDECK_CONFIG_DIR: dir.path } });
      expect(JSON.parse(viaEnv.stdout).deviceId).toBe(a.deviceId);
    } finally {
      dir.remove();
    }
  });

  it('exits 2 with a one-line reason on bad usage', async () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'not-a-folder');
      writeFileSync(file, 'x');
      const cases: string[][] = [
        ['listen', '--port', '70000', '--config-dir', dir.path],
        ['listen', '--downloads', file, '--config-dir', dir.path],
        ['id', '--bogus'],
        ['no-such-command'],
        ['chat', 'only-one-arg', '--config-dir', dir.path],
        ['peers', '--wait', '-3', '--config-dir', dir.path],
        ['pair', '--accept', 'ABCDEFG', '--config-dir', dir.path],
      ];
      for (const args of cases) {
        const r = await run(args);
        expect({ args, code: r.code }).toEqual({ args, code: 2 });
        expect(r.stderr.trim().length).toBeGreaterThan(0);
      }
    } finally {
      dir.remove();
    }
  });

  it('bare peerdeck without a terminal exits 2 and points to the headless commands', async () => {
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/listen/);
  });

  it('--help and --version work for the tool and for a command', async () => {
    const top = await run(['--help']);
    expect(top.code).toBe(0);
    for (const c of ['id', 'listen', 'peers', 'pair', 'trust', 'chat']) expect(top.stdout).toContain(c);
    const chat = await run(['chat', '--help']);
    expect(chat.code).toBe(0);
    expect(chat.stdout).toContain('PEER MESSAGE');
    const v = await run(['--version']);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('trust add rejects a mistyped device ID and trust list shows pins', async () => {
    const dir = tempDir();
    try {
      const bad = await run(['trust', 'add', 'ABCDEFG-HIJKLMN', '--config-dir', dir.path]);
      expect(bad.code).toBe(2);
      const other = tempDir();
      const id = JSON.parse((await run(['id', '--json', '--config-dir', other.path])).stdout).deviceId as string;
      other.remove();
      const add = await run(['trust', 'add', id.toLowerCase().replace(/-/g, ''), 'buddy', '--config-dir', dir.path]);
      expect(add.code).toBe(0);
      const list = await run(['trust', 'list', '--json', '--config-dir', dir.path]);
      expect(JSON.parse(list.stdout)).toMatchObject({ type: 'trusted', deviceId: id, name: 'buddy' });
      const rm = await run(['trust', 'remove', 'buddy', '--config-dir', dir.path]);
      expect(rm.code).toBe(0);
      expect((await run(['trust', 'list', '--json', '--config-dir', dir.path])).stdout.trim()).toBe('');
    } finally {
      dir.remove();
    }
  });
});
