/**
 * Every setting a user can change, once: its key (`peerdeck config KEY`), the
 * store field it lives in, the flag and environment variable that override it
 * for one run, how typed text becomes a value, and whether a running engine
 * can take a change at once. Values are checked against the store's zod schema
 * (src/store/schema.ts), so a value that passes here is one the store accepts.
 *
 * Adding a setting is one entry in SETTINGS (plus its store field and schema).
 */
import { statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SettingsSchema } from '../../store/schema.js';
import type { Settings } from '../../store/store.js';
import { EngineError } from '../errors.js';
import { parseRelayAddress } from '../relay-client/relay-address.js';

/** `none` or empty clears it; otherwise the canonical host:port[#DEVICE_ID]. */
function relaySetting(text: string): string {
  const t = text.trim();
  if (t === '' || t.toLowerCase() === 'none') return '';
  const a = parseRelayAddress(t);
  return a.deviceId ? `${a.hostPort}#${a.deviceId}` : a.hostPort;
}

/** The flag values a setting can be overridden by (the shape the CLI's global options have). */
export interface SettingFlags {
  name?: string | undefined;
  port?: number | undefined;
  discoveryPort?: number | undefined;
  discovery?: boolean | undefined;
  broadcast?: string[] | undefined;
  peers?: { host: string; port: number }[] | undefined;
  downloads?: string | undefined;
  relay?: string | undefined;
}

export type SettingField = keyof Settings;

export interface SettingSpec {
  /** `peerdeck config get KEY`. */
  readonly key: string;
  readonly field: SettingField;
  readonly summary: string;
  /** The flag that overrides it for one run, as typed. */
  readonly flag: string;
  /** The environment variable that overrides it. */
  readonly env: string;
  /** A running engine takes a change at once (else: at its next start). */
  readonly live: boolean;
  /** Typed text (config set, env) → value; throws ERR_SETTING_INVALID. `cwd` resolves relative paths. */
  parse(text: string, cwd: string): unknown;
  /** The flag's value, if the flag was given. */
  fromFlags(f: SettingFlags): unknown;
  /** A value as the user would type it. */
  format(value: unknown): string;
}

const invalid = (key: string, why: string) => new EngineError('ERR_SETTING_INVALID', `${key}: ${why}`, 'usage');

function integer(key: string, min: number, text: string): number {
  const t = text.trim();
  if (!/^\d+$/.test(t)) throw invalid(key, `must be an integer ${min}..65535, got ${JSON.stringify(text)}`);
  return Number(t);
}

function onOff(key: string, text: string): boolean {
  const t = text.trim().toLowerCase();
  if (['on', 'true', 'yes', '1'].includes(t)) return true;
  if (['off', 'false', 'no', '0'].includes(t)) return false;
  throw invalid(key, `must be on or off, got ${JSON.stringify(text)}`);
}

/** A list is typed comma- or space-separated; an empty text is the empty list. */
function list(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

function folder(key: string, text: string, cwd: string): string {
  const t = text.trim();
  if (t === '') throw invalid(key, 'must be a folder path');
  const home = os.homedir();
  const abs = t === '~' ? home : t.startsWith('~/') ? path.join(home, t.slice(2)) : path.resolve(cwd, t);
  let isDir = true;
  try {
    isDir = statSync(abs).isDirectory();
  } catch {
    // missing is fine: it is created when first needed
  }
  if (!isDir) throw invalid(key, `${abs} is not a folder`);
  return abs;
}

const hostPort = (p: { host: string; port: number }) => (p.host.includes(':') ? `[${p.host}]:${p.port}` : `${p.host}:${p.port}`);
const plain = (v: unknown) => (Array.isArray(v) ? v.join(',') : typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v));

export const SETTINGS: readonly SettingSpec[] = [
  {
    key: 'name', field: 'name', flag: '--name', env: 'PEERDECK_NAME', live: true,
    summary: "this peer's display name (default: the host name)",
    parse: (t) => t.trim(),
    fromFlags: (f) => f.name?.trim(),
    format: plain,
  },
  {
    key: 'port', field: 'listenPort', flag: '--port', env: 'PEERDECK_PORT', live: false,
    summary: 'TCP port to listen on (0 = any)',
    parse: (t) => integer('port', 0, t),
    fromFlags: (f) => f.port,
    format: plain,
  },
  {
    key: 'discovery-port', field: 'discoveryPort', flag: '--discovery-port', env: 'PEERDECK_DISCOVERY_PORT', live: false,
    summary: 'UDP discovery port',
    parse: (t) => integer('discovery-port', 1, t),
    fromFlags: (f) => f.discoveryPort,
    format: plain,
  },
  {
    key: 'discovery', field: 'discovery', flag: '--no-discovery', env: 'PEERDECK_DISCOVERY', live: false,
    summary: 'LAN discovery on or off',
    parse: (t) => onOff('discovery', t),
    fromFlags: (f) => f.discovery,
    format: plain,
  },
  {
    key: 'broadcast', field: 'broadcastAddresses', flag: '--broadcast', env: 'PEERDECK_BROADCAST', live: false,
    summary: "discovery broadcast addresses, comma-separated (empty: 255.255.255.255 and each interface's)",
    parse: list,
    fromFlags: (f) => (f.broadcast?.length ? f.broadcast : undefined),
    format: plain,
  },
  {
    key: 'peers', field: 'staticPeers', flag: '--peer', env: 'PEERDECK_PEERS', live: true,
    summary: 'static peers host:port, comma-separated, dialled directly',
    parse: list,
    fromFlags: (f) => (f.peers?.length ? f.peers.map(hostPort) : undefined),
    format: plain,
  },
  {
    key: 'downloads', field: 'downloadsDir', flag: '--downloads', env: 'PEERDECK_DOWNLOADS', live: true,
    summary: 'downloads folder (created if missing; default ~/Downloads)',
    parse: (t, cwd) => folder('downloads', t, cwd),
    fromFlags: (f) => (f.downloads === undefined ? undefined : folder('downloads', f.downloads, process.cwd())),
    format: plain,
  },
  {
    key: 'relay', field: 'relay', flag: '--relay', env: 'PEERDECK_RELAY', live: false,
    summary: 'home relay host:port, or host:port#DEVICE_ID to pin its ID (none: no relay)',
    parse: relaySetting,
    fromFlags: (f) => (f.relay === undefined ? undefined : relaySetting(f.relay)),
    format: plain,
  },
];

/** The spec for `key`, or ERR_SETTING_UNKNOWN with a suggestion. */
export function settingSpec(key: string): SettingSpec {
  const spec = SETTINGS.find((s) => s.key === key);
  if (spec) return spec;
  const near = nearestKey(key);
  throw new EngineError(
    'ERR_SETTING_UNKNOWN',
    `unknown setting ${JSON.stringify(key)}${near ? `; did you mean ${near}?` : ''} (settings: ${SETTINGS.map((s) => s.key).join(', ')})`,
    'usage',
  );
}

/** Check a value against the store schema; returns it as stored. */
export function checkSettingValue(spec: SettingSpec, value: unknown): unknown {
  const r = SettingsSchema.shape[spec.field].safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue?.path.length ? ` (item ${issue.path.map(String).join('.')})` : '';
    throw invalid(spec.key, `${JSON.stringify(spec.format(value))} is not valid${where}: ${issue?.message ?? 'invalid'}`);
  }
  return r.data;
}

/** Typed text → a checked value. */
export function parseSettingText(spec: SettingSpec, text: string, cwd: string): unknown {
  return checkSettingValue(spec, spec.parse(text, cwd));
}

function nearestKey(key: string): string | undefined {
  const k = key.toLowerCase().replace(/_/g, '-');
  let best: { key: string; d: number } | undefined;
  for (const s of SETTINGS) {
    const d = s.key.startsWith(k) || k.startsWith(s.key) || s.field.toLowerCase() === k.replace(/-/g, '') ? 0 : distance(k, s.key);
    if (!best || d < best.d) best = { key: s.key, d };
  }
  return best && best.d <= Math.max(2, Math.floor(key.length / 3)) ? best.key : undefined;
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** A stored `host:port` (already checked by the schema) as parts. */
export function parseHostPortSetting(text: string): { host: string; port: number } {
  const i = text.lastIndexOf(':');
  return { host: text.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(text.slice(i + 1)) };
}
