import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Conf from 'conf';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  configPaths,
  defaultConfigDir,
  ensureConfigDir,
  prepareConfigDir,
  resolveConfigDir,
  type PlatformInfo,
} from '../../src/core/config-dir.js';
import { rejectedCode } from '../helpers/error-code.js';

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'peerdeck-cfgdir-'));
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(tmp, { recursive: true, force: true });
});

const linux = (env: NodeJS.ProcessEnv = {}): PlatformInfo => ({ platform: 'linux', env, homedir: '/home/u' });
const mode = async (p: string) => (await stat(p)).mode & 0o777;

const codeOf = rejectedCode;

describe('resolving the directory', () => {
  it('prefers the flag, then PEERDECK_CONFIG_DIR, then the platform default', () => {
    const env = { PEERDECK_CONFIG_DIR: '/env/dir', XDG_CONFIG_HOME: '/xdg' };
    expect(resolveConfigDir('/flag/dir', linux(env))).toBe('/flag/dir');
    expect(resolveConfigDir(undefined, linux(env))).toBe('/env/dir');
    expect(resolveConfigDir(undefined, linux({ XDG_CONFIG_HOME: '/xdg' }))).toBe('/xdg/peerdeck');
    expect(resolveConfigDir(undefined, linux({ PEERDECK_CONFIG_DIR: '' }))).toBe('/home/u/.config/peerdeck');
  });

  it('expands ~/ and makes relative paths absolute', () => {
    expect(resolveConfigDir('~/pd', linux())).toBe('/home/u/pd');
    expect(resolveConfigDir(undefined, linux({ PEERDECK_CONFIG_DIR: '~/pd2' }))).toBe('/home/u/pd2');
    expect(resolveConfigDir('rel/dir', linux())).toBe(path.resolve('rel/dir'));
  });

  it('rejects an empty --config-dir', () => {
    let code: string | undefined;
    try {
      resolveConfigDir('  ', linux());
    } catch (e) {
      code = (e as { code?: string }).code;
    }
    expect(code).toBe('ERR_CONFIG_DIR');
  });

  it('uses the per-platform default without the -nodejs suffix', () => {
    expect(defaultConfigDir(linux())).toBe('/home/u/.config/peerdeck');
    expect(defaultConfigDir(linux({ XDG_CONFIG_HOME: '/x' }))).toBe('/x/peerdeck');
    expect(defaultConfigDir({ platform: 'darwin', env: {}, homedir: '/Users/u' })).toBe('/Users/u/Library/Preferences/peerdeck');
    expect(defaultConfigDir({ platform: 'win32', env: { APPDATA: 'C:/AppData' }, homedir: 'C:/u' })).toBe(
      path.join('C:/AppData', 'peerdeck', 'Config'),
    );
    expect(defaultConfigDir(linux())).not.toMatch(/nodejs/);
  });

  it('matches the directory conf itself picks for projectName peerdeck, projectSuffix ""', () => {
    vi.stubEnv('XDG_CONFIG_HOME', tmp);
    const conf = new Conf({ projectName: 'peerdeck', projectSuffix: '' });
    expect(path.dirname(conf.path)).toBe(defaultConfigDir());
    expect(defaultConfigDir()).toBe(path.join(tmp, 'peerdeck'));
  });
});

describe('creating and checking the directory', () => {
  it('creates root, identity/ and data/ as 0700, parents included', async () => {
    const root = path.join(tmp, 'a', 'b', 'peerdeck');
    const p = await ensureConfigDir(root);
    expect(p).toEqual(configPaths(root));
    for (const dir of [p.root, p.identityDir, p.dataDir]) expect(await mode(dir)).toBe(0o700);
  });

  it('lays out the files the design names', () => {
    const p = configPaths('/c');
    expect(p).toEqual({
      root: '/c',
      identityDir: '/c/identity',
      keyFile: '/c/identity/key.pem',
      certFile: '/c/identity/cert.pem',
      configFile: '/c/config.json',
      dataDir: '/c/data',
      controlSocket: '/c/control.sock',
      lockFile: '/c/engine.lock',
    });
  });

  it('prepareConfigDir resolves and creates in one step', async () => {
    const p = await prepareConfigDir(path.join(tmp, 'flagged'), linux());
    expect(await mode(p.dataDir)).toBe(0o700);
  });

  it('is idempotent on an existing private dir', async () => {
    const root = path.join(tmp, 'c');
    await ensureConfigDir(root);
    await ensureConfigDir(root);
    expect(await mode(root)).toBe(0o700);
  });

  it('refuses a path that is a file (ERR_CONFIG_DIR)', async () => {
    const file = path.join(tmp, 'file');
    await writeFile(file, 'x');
    expect(await codeOf(ensureConfigDir(file))).toBe('ERR_CONFIG_DIR');
    expect(await codeOf(ensureConfigDir(path.join(file, 'below')))).toBe('ERR_CONFIG_DIR');
  });

  it('refuses when identity/ or data/ is a file', async () => {
    const root = path.join(tmp, 'd');
    await mkdir(root, { mode: 0o700 });
    await writeFile(path.join(root, 'data'), 'x');
    expect(await codeOf(ensureConfigDir(root))).toBe('ERR_CONFIG_DIR');
  });

  it('refuses a dir others can write (ERR_CONFIG_DIR_INSECURE) and leaves it as it is', async () => {
    const root = path.join(tmp, 'open');
    await mkdir(root);
    await chmod(root, 0o777);
    expect(await codeOf(ensureConfigDir(root))).toBe('ERR_CONFIG_DIR_INSECURE');
    expect(await mode(root)).toBe(0o777);
  });

  it('tightens a dir others can only read to 0700', async () => {
    const root = path.join(tmp, 'readable');
    await mkdir(root);
    await chmod(root, 0o755);
    await ensureConfigDir(root);
    expect(await mode(root)).toBe(0o700);
  });

  it('two config dirs share no path', () => {
    const a = Object.values(configPaths('/x/one'));
    const b = Object.values(configPaths('/x/two'));
    expect(a.filter((p) => b.includes(p))).toEqual([]);
  });
});
