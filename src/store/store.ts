/**
 * Persistence for one identity: settings, pinned (trusted) peers and
 * journals. Only what must survive a restart lives here; volatile state (RTT,
 * last seen, discovered addresses) stays in the engine.
 *
 * Settings and pins are read once when the store opens and written through on
 * every change (small, synchronous, durable before the call returns). That is
 * safe because one process owns a config dir at a time: conf does not support
 * several processes writing the same file, and the engine lock
 * (`engine.lock`) keeps a second engine out.
 */
import os from 'node:os';
import path from 'node:path';
import type { DeviceId } from '../protocol/device-id.js';
import { clampDisplayName } from '../protocol/discovery-packet.js';
import type { Journal } from './journal.js';
import type { JsonJournal } from './json-journal.js';

export interface Settings {
  /** This peer's display name (≤ 64 bytes UTF-8). Default: the host name's first label. */
  name: string;
  /** Where finished downloads go. Default: ~/Downloads. */
  downloadsDir: string;
  /** How long a sent offer waits for the receiver's answer. */
  offerTimeoutMs: number;
  /** TCP port for sessions; 0 = any free port. */
  listenPort: number;
  /** UDP port for LAN discovery. */
  discoveryPort: number;
  /** LAN discovery on or off. */
  discovery: boolean;
  /** Broadcast addresses for discovery (empty: the limited and each interface's directed broadcast). */
  broadcastAddresses: string[];
  /** Static peers `host:port`, dialled directly (networks where broadcast is blocked). */
  staticPeers: string[];
  /** Home relay `host:port[#DEVICE_ID]`; empty = none. */
  relay: string;
}

export interface PinnedPeer {
  deviceId: DeviceId;
  /** Our name for the peer (from its announce at pairing, or set by the user). */
  name: string;
  /** Wall-clock ms when it was pinned. */
  pinnedAt: number;
  /** What to do with its offers. */
  policy: 'ask' | 'auto-accept';
  /** Last known dial address `host:port`. */
  address?: string;
  /** The address was set by hand (`--peer`), not learned: keep it when discovery says otherwise. */
  static?: boolean;
}

export interface Store {
  /** All settings, defaults filled in. */
  getSettings(): Settings;
  /** Only the settings that were set (no defaults): where a value came from. */
  getStoredSettings(): Partial<Settings>;
  /** Change some settings (validated; `ERR_STORE` if invalid); returns the result. */
  updateSettings(patch: Partial<Settings>): Settings;
  /** Forget some settings (back to their defaults); returns the result. */
  clearSettings(keys: readonly (keyof Settings)[]): Settings;
  /** Pins sorted by name (case-insensitive), then device ID. */
  listPins(): PinnedPeer[];
  getPin(id: DeviceId): PinnedPeer | undefined;
  /** Insert or replace (validated; `ERR_STORE` if invalid). */
  putPin(pin: PinnedPeer): void;
  /** True if there was a pin to remove. */
  removePin(id: DeviceId): boolean;
  /** Pins whose name equals `name`, ignoring case and Unicode normalisation form. */
  findPinsByName(name: string): PinnedPeer[];
  /** The byte journal `<config-dir>/data/<name>.journal` (name: letters, digits, `.`, `_`, `-`). One open at a time. */
  openJournal(name: string): Promise<Journal>;
  /** The same journal with JSON records, optionally validated by `parse` (the engine's `openLog`). */
  openLog<T>(name: string, parse?: (value: unknown) => T): Promise<JsonJournal<T>>;
  /** Names of the journals that exist. */
  listJournals(): Promise<string[]>;
  /** Delete a journal that is not open; true if it existed. */
  removeJournal(name: string): Promise<boolean>;
  /** Close every journal this store opened. */
  close(): Promise<void>;
}

/** Where the defaults come from (injectable for tests). */
export interface DefaultsSource {
  hostname: string;
  homedir: string;
}

export function defaultSettings(src: DefaultsSource = { hostname: os.hostname(), homedir: os.homedir() }): Settings {
  return {
    name: clampDisplayName(src.hostname.split('.')[0]?.trim() ?? '') || 'peerdeck',
    downloadsDir: path.join(src.homedir, 'Downloads'),
    offerTimeoutMs: 120_000,
    listenPort: 51515,
    discoveryPort: 51515,
    discovery: true,
    broadcastAddresses: [],
    staticPeers: [],
    relay: '',
  };
}
