/**
 * The shape of config.json, once, as zod schemas: the stores parse with them. Unknown keys are allowed
 * in the file (a newer peerdeck may have written them, or an older one: `homeRelay` and `sharedDir`,
 * which nothing read) and dropped on parse.
 */
import * as z from 'zod';
import { isDeviceId } from '../protocol/device-id.js';
import { MAX_NAME_BYTES } from '../protocol/discovery-packet.js';

export const STORE_VERSION = 1;

const DEVICE_ID_PATTERN = /^[A-Z2-7]{7}(?:-[A-Z2-7]{7}){7}$/;
const HOST_PORT_PATTERN = /^(?:\[[^\]\s]+\]|[^:\s[\]]+):(\d{1,5})$/;

export const DisplayNameSchema = z
  .string()
  .min(1)
  .refine((s) => Buffer.byteLength(s) <= MAX_NAME_BYTES, `a name is at most ${MAX_NAME_BYTES} bytes of UTF-8`);

/** `host:port` (IPv6 in brackets), port 1..65535. */
export const HostPortSchema = z
  .string()
  .regex(HOST_PORT_PATTERN)
  .refine((s) => {
    const port = Number(HOST_PORT_PATTERN.exec(s)?.[1]);
    return port >= 1 && port <= 65535;
  }, 'port must be 1..65535');

const port = (min: number) => z.number().int().min(min).max(65535);

const IPV4_PATTERN = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/;
export const Ipv4Schema = z.string().regex(IPV4_PATTERN, 'an IPv4 address');

export const SettingsSchema = z.object({
  name: DisplayNameSchema,
  downloadsDir: z.string().min(1),
  offerTimeoutMs: z.number().int().min(1_000).max(86_400_000),
  listenPort: port(0),
  discoveryPort: port(1),
  discovery: z.boolean(),
  broadcastAddresses: z.array(Ipv4Schema).max(32),
  staticPeers: z.array(HostPortSchema).max(64),
  /** Home relay: empty, or host:port with an optional #DEVICE_ID (checked fully by the settings table). */
  relay: z.union([z.literal(''), z.string().max(400).regex(/^(?:\[[^\]\s]+\]|[^:\s[\]#]+):\d{1,5}(?:#[A-Z2-7-]{63})?$/)]),
});

export const DeviceIdSchema = z.string().regex(DEVICE_ID_PATTERN).refine(isDeviceId, 'device ID check characters do not match');

/** A pin as stored: keyed by device ID in `pins`, so the ID is not repeated inside. */
export const PinEntrySchema = z.object({
  name: DisplayNameSchema,
  pinnedAt: z.number().int().nonnegative(),
  policy: z.enum(['ask', 'auto-accept']),
  address: HostPortSchema.optional(),
  static: z.boolean().optional(),
});

export const StoreDataSchema = z.object({
  version: z.literal(STORE_VERSION),
  settings: SettingsSchema.partial(),
  pins: z.record(DeviceIdSchema, PinEntrySchema),
});

export type StoreData = z.output<typeof StoreDataSchema>;
export type PinEntry = z.output<typeof PinEntrySchema>;

export function emptyStoreData(): StoreData {
  return { version: STORE_VERSION, settings: {}, pins: {} };
}
