import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveSettings } from '../../../src/core/settings/settings-resolve.js';
import { localSettingsOps } from '../../../src/core/settings/settings-service.js';
import { SETTINGS, parseSettingText, settingSpec } from '../../../src/core/settings/settings-table.js';
import { createMemoryStore } from '../../../src/store/memory-store.js';
import { defaultSettings } from '../../../src/store/store.js';

const DEFAULTS = defaultSettings({ hostname: 'box.example', homedir: '/home/u' });
const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return 'no error';
  } catch (err) {
    return (err as { code?: string }).code;
  }
};
const tmp = mkdtempSync(path.join(tmpdir(), 'peerdeck-settings-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('settings table', () => {
  it('has the keys the issue asks for, each with a flag and an environment variable', () => {
    expect(SETTINGS.map((s) => s.key)).toEqual(['name', 'port', 'discovery-port', 'discovery', 'broadcast', 'peers', 'downloads', 'relay']);
    for (const s of SETTINGS) expect(s.env).toMatch(/^PEERDECK_[A-Z_]+$/);
  });

  it('parses typed text into checked values', () => {
    expect(parseSettingText(settingSpec('port'), '0', tmp)).toBe(0);
    expect(parseSettingText(settingSpec('discovery'), 'off', tmp)).toBe(false);
    expect(parseSettingText(settingSpec('broadcast'), '127.255.255.255, 10.0.0.255', tmp)).toEqual(['127.255.255.255', '10.0.0.255']);
    expect(parseSettingText(settingSpec('peers'), '127.0.0.1:4000 [::1]:5', tmp)).toEqual(['127.0.0.1:4000', '[::1]:5']);
    expect(parseSettingText(settingSpec('downloads'), 'in', tmp)).toBe(path.join(tmp, 'in'));
  });

  it('refuses bad values and unknown keys with stable codes, suggesting a near key', () => {
    const file = path.join(tmp, 'a-file');
    writeFileSync(file, 'x');
    for (const [key, text] of [
      ['port', '70000'], ['port', '12ab'], ['port', '-1'], ['discovery-port', '0'], ['discovery', 'maybe'],
      ['broadcast', 'example.com'], ['peers', 'host'], ['peers', 'host:0'], ['name', ''], ['name', 'x'.repeat(65)], ['downloads', file],
    ] as const) {
      expect(codeOf(() => parseSettingText(settingSpec(key), text, tmp)), `${key}=${text}`).toBe('ERR_SETTING_INVALID');
    }
    expect(codeOf(() => settingSpec('prot'))).toBe('ERR_SETTING_UNKNOWN');
    expect(() => settingSpec('prot')).toThrow(/did you mean port\?/);
    expect(() => settingSpec('discoveryport')).toThrow(/did you mean discovery-port\?/);
    expect(() => settingSpec('zzzzzzzz')).not.toThrow(/did you mean/);
  });
});

describe('effective settings', () => {
  it('flag > env > setting > default, with the source of each', () => {
    const r = resolveSettings({
      defaults: DEFAULTS,
      stored: { name: 'desk', listenPort: 4000, discoveryPort: 4001 },
      flags: { port: 0 },
      env: { PEERDECK_DISCOVERY_PORT: '4002', PEERDECK_NAME: '' },
    });
    expect(r.settings).toMatchObject({ name: 'desk', listenPort: 0, discoveryPort: 4002, discovery: true });
    expect(Object.fromEntries(r.effective.map((e) => [e.key, e.source]))).toEqual({
      name: 'setting', port: 'flag', 'discovery-port': 'env', discovery: 'default', broadcast: 'default', peers: 'default', downloads: 'default', relay: 'default',
    });
  });

  it('a bad environment value is a usage error naming the variable', () => {
    expect(() => resolveSettings({ defaults: DEFAULTS, stored: {}, env: { PEERDECK_PORT: 'x' } })).toThrow(/PEERDECK_PORT/);
  });
});

describe('config operations on a store', () => {
  it('set / list / unset round trip, and a running engine is told what it can take now', async () => {
    const store = createMemoryStore({ defaults: { hostname: 'box', homedir: '/home/u' } });
    const applied: unknown[] = [];
    const ops = localSettingsOps(store, { overridden: (k) => k === 'downloads', apply: async (p) => void applied.push(p) });
    expect(await ops.configSet({ key: 'name', value: 'alice' })).toMatchObject({ value: 'alice', source: 'setting', applied: 'now' });
    expect(await ops.configSet({ key: 'port', value: 0 })).toMatchObject({ applied: 'restart' });
    expect(await ops.configSet({ key: 'downloads', value: '/srv/in' })).toMatchObject({ applied: 'overridden' });
    expect(applied).toEqual([{ name: 'alice' }]);
    const list = await ops.configList();
    expect(list.find((e) => e.key === 'name')).toMatchObject({ value: 'alice', source: 'setting' });
    expect(list.find((e) => e.key === 'peers')).toMatchObject({ value: [], source: 'default' });
    expect(await ops.configUnset({ key: 'name' })).toMatchObject({ value: 'box', source: 'default', applied: 'now' });
    expect(applied).toEqual([{ name: 'alice' }, { name: 'box' }]);
    await expect(ops.configSet({ key: 'port', value: 70000 })).rejects.toMatchObject({ code: 'ERR_SETTING_INVALID' });
    expect(store.getSettings().listenPort).toBe(0);
  });
});
