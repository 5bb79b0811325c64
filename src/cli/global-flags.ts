/**
 * Flags shared by the commands that run or reach an engine. Each command picks
 * the ones it needs, so one flag means one thing everywhere.
 */
import { statSync } from 'node:fs';
import { UsageError } from './usage-error.js';

export const DEFAULT_PORT = 51515;
export const DEFAULT_DISCOVERY_PORT = 51515;

export const globalFlagSpecs = {
  configDir: { type: 'string', help: 'identity + state directory (env PEERDECK_CONFIG_DIR)' },
  name: { type: 'string', help: "this peer's display name" },
  port: { type: 'number', help: `TCP port to listen on (default ${DEFAULT_PORT}, 0 = any)` },
  discoveryPort: { type: 'number', help: `UDP discovery port (default ${DEFAULT_DISCOVERY_PORT})` },
  broadcast: { type: 'string', isMultiple: true, help: 'broadcast address for discovery (repeatable)' },
  discovery: { type: 'boolean', help: 'use --no-discovery to turn LAN discovery off' },
  peer: { type: 'string', isMultiple: true, help: 'static peer host:port, dialled directly (repeatable)' },
  downloads: { type: 'string', help: 'downloads folder (created if missing)' },
  json: { type: 'boolean', default: false, help: 'one JSON object per line' },
  relay: { type: 'string', help: 'home relay host:port[#DEVICE_ID] for this run (none: no relay)' },
} as const;

export type GlobalFlagName = keyof typeof globalFlagSpecs;

export interface HostPort {
  host: string;
  port: number;
}

/**
 * Engine options common to commands, after validation. A setting's flag that was not given is
 * undefined: the stored setting (or its default) applies, see src/core/settings/.
 */
export interface GlobalOptions {
  configDir?: string;
  name?: string;
  port?: number;
  discoveryPort?: number;
  broadcast?: string[];
  discovery?: boolean;
  peers?: HostPort[];
  downloads?: string;
  relay?: string;
  json: boolean;
}

function checkPort(value: unknown, flag: string, allowZero: boolean): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < (allowZero ? 0 : 1) || value > 65535) {
    // meow turns a non-numeric value into NaN, so the text typed is gone by now.
    const got = typeof value === 'number' && Number.isNaN(value) ? 'something that is not a number' : String(value);
    throw new UsageError(`--${flag} must be an integer ${allowZero ? 0 : 1}..65535, got ${got}`);
  }
  return value;
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/;

export function parseHostPort(text: string, flag = 'peer'): HostPort {
  const m = /^(\[[^\]]+\]|[^:\s]+):(\d+)$/.exec(text.trim());
  if (!m) throw new UsageError(`--${flag} must be host:port, got ${JSON.stringify(text)}`);
  const host = m[1]!.replace(/^\[|\]$/g, '');
  const port = Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`--${flag} port must be 1..65535, got ${m[2]}`);
  }
  return { host, port };
}

export function parseGlobalOptions(flags: Record<string, unknown>): GlobalOptions {
  const broadcast = (flags.broadcast as string[] | undefined) ?? [];
  for (const b of broadcast) {
    if (!IPV4.test(b)) throw new UsageError(`--broadcast must be an IPv4 address, got ${JSON.stringify(b)}`);
  }
  const downloads = flags.downloads as string | undefined;
  if (downloads !== undefined) {
    if (downloads.trim() === '') throw new UsageError('--downloads must not be empty');
    try {
      if (!statSync(downloads).isDirectory()) throw new UsageError(`--downloads ${downloads} is not a folder`);
    } catch (err) {
      if (err instanceof UsageError) throw err;
      // Missing is fine: it is created when first needed.
    }
  }
  const name = flags.name as string | undefined;
  if (name !== undefined && (name.trim() === '' || Buffer.byteLength(name) > 64)) {
    throw new UsageError('--name must be 1..64 bytes');
  }
  const configDir = flags.configDir as string | undefined;
  if (configDir !== undefined && configDir.trim() === '') throw new UsageError('--config-dir must not be empty');
  return {
    configDir,
    name,
    port: checkPort(flags.port, 'port', true),
    discoveryPort: checkPort(flags.discoveryPort, 'discovery-port', false),
    broadcast: broadcast.length ? broadcast : undefined,
    discovery: flags.discovery === undefined ? undefined : flags.discovery !== false,
    peers: (flags.peer as string[] | undefined)?.length ? (flags.peer as string[]).map((p) => parseHostPort(p)) : undefined,
    downloads,
    relay: flags.relay as string | undefined,
    json: flags.json === true,
  };
}
