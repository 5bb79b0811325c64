import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configPaths } from '../../src/core/config-dir.js';
import { openConfStore } from '../../src/store/conf-store.js';
import { codeOf, idOf, pinOf, storeContract, TEST_DEFAULTS } from './store-contract.js';

const tmpRoots: string[] = [];
async function tempConfigDir(): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'peerdeck-store-'));
  tmpRoots.push(root);
  return path.join(root, 'peerdeck');
}
afterAll(async () => {
  await Promise.all(tmpRoots.map((r) => rm(r, { recursive: true, force: true })));
});

const open = (dir: string) => openConfStore(configPaths(dir), { defaults: TEST_DEFAULTS });
const mode = async (p: string) => (await stat(p)).mode & 0o777;

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(path.join(e.parentPath, e.name));
  }
  return out.sort();
}

storeContract('conf', async () => {
  const dir = await tempConfigDir();
  return { open: () => open(dir) };
});

describe('conf store on disk', () => {
  it('keeps settings and pins in <config-dir>/config.json, mode 0600, folder without -nodejs', async () => {
    const dir = await tempConfigDir();
    const store = await open(dir);
    store.putPin(pinOf(1));
    store.updateSettings({ name: 'desk' });
    const file = configPaths(dir).configFile;
    expect(await mode(file)).toBe(0o600);
    expect(path.basename(path.dirname(file))).toBe('peerdeck');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      version: 1,
      settings: { name: 'desk' },
      pins: { [idOf(1)]: { name: 'peer-1', pinnedAt: pinOf(1).pinnedAt, policy: 'ask' } },
    });
    expect(await mode(dir)).toBe(0o700);
  });

  it('puts journals in <config-dir>/data/<name>.journal', async () => {
    const dir = await tempConfigDir();
    const store = await open(dir);
    await (await store.openJournal('outbox')).append(Buffer.from('x'));
    await store.close();
    expect(await readdir(configPaths(dir).dataDir)).toEqual(['outbox.journal']);
  });

  it('two config dirs share no file', async () => {
    const [dirA, dirB] = [await tempConfigDir(), await tempConfigDir()];
    const a = await open(dirA);
    const b = await open(dirB);
    a.putPin(pinOf(1));
    b.updateSettings({ name: 'other' });
    await (await a.openJournal('chat')).append(Buffer.from('a'));
    await (await b.openJournal('chat')).append(Buffer.from('b'));
    await Promise.all([a.close(), b.close()]);
    const [filesA, filesB] = [await filesUnder(dirA), await filesUnder(dirB)];
    expect(filesA.every((f) => f.startsWith(dirA + path.sep))).toBe(true);
    expect(filesB.every((f) => f.startsWith(dirB + path.sep))).toBe(true);
    expect((await open(dirB)).getPin(idOf(1))).toBeUndefined();
    expect((await open(dirA)).getSettings().name).toBe('box');
  });

  it('tightens an existing config.json that others can read', async () => {
    const dir = await tempConfigDir();
    await open(dir);
    const file = configPaths(dir).configFile;
    await chmod(file, 0o644);
    await open(dir);
    expect(await mode(file)).toBe(0o600);
  });

  it('refuses a corrupt config.json with ERR_STORE and leaves it as it was (pins are never reset)', async () => {
    const dir = await tempConfigDir();
    (await open(dir)).putPin(pinOf(1));
    const file = configPaths(dir).configFile;
    for (const content of ['{"version":1,"pins":{', '{"version":1,"settings":{},"pins":{"bogus":{}}}', '{"version":2,"settings":{},"pins":{}}']) {
      await writeFile(file, content);
      expect(await codeOf(() => open(dir)), content).toBe('ERR_STORE');
      expect(await readFile(file, 'utf8')).toBe(content);
    }
  });

  it('tolerates keys a newer version may have written', async () => {
    const dir = await tempConfigDir();
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(
      configPaths(dir).configFile,
      JSON.stringify({ version: 1, settings: { name: 'n', future: 1 }, pins: { [idOf(1)]: { ...pinOf(1), deviceId: undefined, extra: true } }, later: {} }),
      { mode: 0o600 },
    );
    const store = await open(dir);
    expect(store.getSettings().name).toBe('n');
    expect(store.getPin(idOf(1))).toEqual(pinOf(1));
  });

  it('refuses a config dir path that is a file', async () => {
    const dir = await tempConfigDir();
    await mkdir(path.dirname(dir), { recursive: true });
    await writeFile(dir, 'x');
    expect(await codeOf(() => open(dir))).toBe('ERR_CONFIG_DIR');
  });
});
