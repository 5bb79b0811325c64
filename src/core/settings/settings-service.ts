/**
 * `peerdeck config` as operations over one identity's store: list, set and
 * unset, the same whether this process holds the store (no engine runs) or a
 * running engine does (then over its control socket, and the engine applies
 * what it safely can at once).
 */
import type { ControlClient } from '../control/control-client.js';
import type { HostMethod } from '../daemon/host-handler.js';
import type { Settings, Store } from '../../store/store.js';
import type { SettingChange, SettingView } from '../engine-api.js';
import { SETTINGS, checkSettingValue, parseSettingText, settingSpec, type SettingSpec } from './settings-table.js';

export interface SettingEntry {
  key: string;
  value: unknown;
  /** As the user would type it. */
  text: string;
  source: 'setting' | 'default';
  live: boolean;
  summary: string;
}

/**
 * What became of a change: `now` (the running engine uses it), `restart` (saved; the running
 * engine takes it at its next start), `overridden` (saved; the running engine was started with a
 * flag or variable that wins), `saved` (no engine runs).
 */
export type Applied = 'now' | 'restart' | 'overridden' | 'saved';

export interface SetResult {
  key: string;
  value: unknown;
  text: string;
  source: 'setting' | 'default';
  applied: Applied;
}

export interface SettingsOps {
  configList(): Promise<SettingEntry[]>;
  /** `value` already parsed by the caller (relative paths resolved where it was typed); checked again here. */
  configSet(p: { key: string; value: unknown }): Promise<SetResult>;
  configUnset(p: { key: string }): Promise<SetResult>;
}

export type SettingsStore = Pick<Store, 'getSettings' | 'getStoredSettings' | 'updateSettings' | 'clearSettings'>;

/** A running engine, for changes it can take at once. */
export interface LiveSettings {
  /** Did a flag or the environment set this key for this run? */
  overridden(key: string): boolean;
  apply(patch: Partial<Settings>): Promise<void>;
}

export function localSettingsOps(store: SettingsStore, live?: LiveSettings): SettingsOps {
  const entry = (spec: SettingSpec): SettingEntry => {
    const stored = store.getStoredSettings();
    const value = store.getSettings()[spec.field];
    return { key: spec.key, value, text: spec.format(value), source: Object.hasOwn(stored, spec.field) ? 'setting' : 'default', live: spec.live, summary: spec.summary };
  };
  const applied = async (spec: SettingSpec): Promise<Applied> => {
    if (!live) return 'saved';
    if (live.overridden(spec.key)) return 'overridden';
    if (!spec.live) return 'restart';
    await live.apply({ [spec.field]: store.getSettings()[spec.field] });
    return 'now';
  };
  return {
    async configList() {
      return SETTINGS.map(entry);
    },
    async configSet({ key, value }) {
      const spec = settingSpec(key);
      store.updateSettings({ [spec.field]: checkSettingValue(spec, value) });
      return { ...pickResult(entry(spec)), applied: await applied(spec) };
    },
    async configUnset({ key }) {
      const spec = settingSpec(key);
      store.clearSettings([spec.field]);
      return { ...pickResult(entry(spec)), applied: await applied(spec) };
    },
  };
}

function pickResult(e: SettingEntry) {
  return { key: e.key, value: e.value, text: e.text, source: e.source };
}

/** The control methods that serve `ops` in a running engine. */
export function settingsMethods(ops: SettingsOps): Record<string, HostMethod> {
  return {
    configList: () => ops.configList(),
    configSet: (p: { key: string; value: unknown }) => ops.configSet(p),
    configUnset: (p: { key: string }) => ops.configUnset(p),
  };
}

export function remoteSettings(client: ControlClient): SettingsOps {
  return {
    configList: () => client.call('configList', {}),
    configSet: (p) => client.call('configSet', p),
    configUnset: (p) => client.call('configUnset', p),
  };
}

/** The settings as a dashboard shows them (EngineHandle.settings). */
export async function settingViews(ops: SettingsOps): Promise<SettingView[]> {
  return (await ops.configList()).map((e) => ({ key: e.key, text: e.text, source: e.source, live: e.live, summary: e.summary }));
}

/** A typed value, parsed where it was typed (`cwd`), then set (EngineHandle.setSetting). */
export async function setSettingText(ops: SettingsOps, key: string, text: string, cwd: string): Promise<SettingChange> {
  const value = parseSettingText(settingSpec(key), text, cwd);
  const r = await ops.configSet({ key, value });
  return { key: r.key, text: r.text, applied: r.applied };
}
