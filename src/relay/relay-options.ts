/** `peerdeck relay` flags → allow list and limits (pure, so it is tested without a process). */
import { readFileSync } from 'node:fs';
import { parseDeviceId, type DeviceId } from '../protocol/device-id.js';
import { MAX_ENVELOPE_BYTES } from '../protocol/relay/envelope.js';
import { DEFAULT_RELAY_LIMITS, type RelayLimits } from './relay-limits.js';

export class RelayOptionError extends Error {}

/** Device IDs from --allow values and --allow-file lines (`#` comments and blank lines ignored). */
export function parseAllow(values: readonly string[], file?: string): Set<DeviceId> | undefined {
  const texts = [...values];
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new RelayOptionError(`--allow-file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    for (const line of text.split('\n')) {
      const t = line.replace(/#.*/, '').trim();
      if (t) texts.push(t);
    }
    if (texts.length === 0) throw new RelayOptionError(`--allow-file ${file} lists no device ID`);
  }
  if (texts.length === 0) return undefined;
  const out = new Set<DeviceId>();
  for (const t of texts) {
    try {
      out.add(parseDeviceId(t));
    } catch {
      throw new RelayOptionError(`--allow ${JSON.stringify(t.slice(0, 80))} is not a device ID`);
    }
  }
  return out;
}

export interface LimitFlags {
  maxClients?: number;
  maxEnvelope?: number;
  maxQueue?: number;
  maxQueueBytes?: number;
  maxTotalBytes?: number;
  ttl?: number;
  depositsPerMinute?: number;
  silentDrop?: number;
}

/** Flags (seconds for ttl and silentDrop) → limits; every one a positive integer. */
export function limitsFromFlags(f: LimitFlags): RelayLimits {
  const pick = (name: string, v: number | undefined, scale: number, fallback: number, max = Number.MAX_SAFE_INTEGER): number => {
    if (v === undefined) return fallback;
    if (!Number.isInteger(v) || v < 1 || v * scale > max) throw new RelayOptionError(`--${name} must be a whole number from 1 to ${Math.floor(max / scale)}`);
    return v * scale;
  };
  const d = DEFAULT_RELAY_LIMITS;
  return {
    ...d,
    maxClients: pick('max-clients', f.maxClients, 1, d.maxClients),
    maxEnvelopeBytes: pick('max-envelope', f.maxEnvelope, 1, d.maxEnvelopeBytes, MAX_ENVELOPE_BYTES),
    maxQueueEnvelopes: pick('max-queue', f.maxQueue, 1, d.maxQueueEnvelopes),
    maxQueueBytes: pick('max-queue-bytes', f.maxQueueBytes, 1, d.maxQueueBytes),
    maxTotalBytes: pick('max-total-bytes', f.maxTotalBytes, 1, d.maxTotalBytes),
    ttlMs: pick('ttl', f.ttl, 1000, d.ttlMs, 30 * 86_400_000),
    depositsPerMinute: pick('deposits-per-minute', f.depositsPerMinute, 1, d.depositsPerMinute),
    silentDropMs: pick('silent-drop', f.silentDrop, 1000, d.silentDropMs),
  };
}
