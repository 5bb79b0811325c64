/**
 * The effective value of every setting and where it came from:
 * flag > environment > setting (config.json) > default.
 */
import type { Settings } from '../../store/store.js';
import { EngineError } from '../errors.js';
import { SETTINGS, checkSettingValue, parseSettingText, type SettingFlags, type SettingSpec } from './settings-table.js';

export type SettingSource = 'default' | 'setting' | 'env' | 'flag';

export interface EffectiveSetting {
  key: string;
  value: unknown;
  source: SettingSource;
}

export interface ResolvedSettings {
  /** All settings, effective values. */
  settings: Settings;
  /** One per SETTINGS entry, in table order. */
  effective: EffectiveSetting[];
  sourceOf(key: string): SettingSource;
}

export interface ResolveInput {
  defaults: Settings;
  stored: Partial<Settings>;
  flags?: SettingFlags;
  env?: Record<string, string | undefined>;
  cwd?: string;
}

export function resolveSettings(input: ResolveInput): ResolvedSettings {
  const settings: Settings = structuredClone({ ...input.defaults, ...input.stored });
  const effective: EffectiveSetting[] = [];
  const cwd = input.cwd ?? process.cwd();
  for (const spec of SETTINGS) {
    const picked = pick(spec, input, cwd);
    (settings as unknown as Record<string, unknown>)[spec.field] = picked.value;
    effective.push({ key: spec.key, ...picked });
  }
  return {
    settings,
    effective,
    sourceOf: (key) => effective.find((e) => e.key === key)?.source ?? 'default',
  };
}

function pick(spec: SettingSpec, input: ResolveInput, cwd: string): { value: unknown; source: SettingSource } {
  const flag = input.flags ? spec.fromFlags(input.flags) : undefined;
  if (flag !== undefined) return { value: checkSettingValue(spec, flag), source: 'flag' };
  const env = input.env?.[spec.env];
  if (env !== undefined && env !== '') {
    try {
      return { value: parseSettingText(spec, env, cwd), source: 'env' };
    } catch (err) {
      throw new EngineError('ERR_SETTING_INVALID', `${spec.env}: ${(err as Error).message}`, 'usage');
    }
  }
  if (Object.hasOwn(input.stored, spec.field) && input.stored[spec.field] !== undefined) return { value: input.stored[spec.field], source: 'setting' };
  return { value: input.defaults[spec.field], source: 'default' };
}
