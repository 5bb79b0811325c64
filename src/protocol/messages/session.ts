/**
 * Session open and close: HELLO → ACCEPT | DENY, and BYE.
 *
 * The device ID is not in HELLO: it is taken only from the peer's certificate.
 * `v` is the major protocol version; additions within a major travel as `caps`
 * and as extra fields that older peers strip.
 */
import * as z from 'zod';
import { jsonCodec, nameSchema, reasonSchema, visibleAscii, type MessageOf } from './codec.js';

/** The protocol major version this build speaks. */
export const PROTOCOL_VERSION = 1;

/** Most capabilities one HELLO may list. */
export const MAX_CAPS = 32;
/** Longest capability token. */
export const MAX_CAP_CHARS = 32;
/** Longest home-relay address (`host:port`, host up to 253 characters). */
export const MAX_RELAY_CHARS = 260;

export const DENY_CODES = ['VERSION_MISMATCH', 'NOT_TRUSTED', 'BUSY', 'RATE_LIMITED', 'SHUTTING_DOWN', 'DUPLICATE'] as const;
export type DenyCode = (typeof DENY_CODES)[number];

const helloSchema = z.object({
  v: z.int().min(0).max(0xffff),
  name: nameSchema,
  port: z.int().min(0).max(65535),
  caps: z.array(visibleAscii(MAX_CAP_CHARS)).max(MAX_CAPS),
  relay: visibleAscii(MAX_RELAY_CHARS).optional(),
});
const acceptSchema = z.object({ name: nameSchema });
const denySchema = z.object({ code: z.enum(DENY_CODES), message: reasonSchema.optional() });
const byeSchema = z.object({ reason: reasonSchema.optional() });

export const helloCodec = jsonCodec('HELLO', 0x01, helloSchema);
export const acceptCodec = jsonCodec('ACCEPT', 0x02, acceptSchema);
export const denyCodec = jsonCodec('DENY', 0x03, denySchema);
export const byeCodec = jsonCodec('BYE', 0x04, byeSchema);

export type Hello = MessageOf<typeof helloCodec>;
export type Accept = MessageOf<typeof acceptCodec>;
export type Deny = MessageOf<typeof denyCodec>;
export type Bye = MessageOf<typeof byeCodec>;

export const sessionCodecs = [helloCodec, acceptCodec, denyCodec, byeCodec] as const;

export type HelloVerdict = { readonly ok: true } | { readonly ok: false; readonly deny: Deny };

/** Decide whether a HELLO can proceed: the same major version, or a DENY to send back. */
export function negotiateHello(localVersion: number, hello: Pick<Hello, 'v'>): HelloVerdict {
  if (hello.v === localVersion) return { ok: true };
  return {
    ok: false,
    deny: {
      type: 'DENY',
      code: 'VERSION_MISMATCH',
      message: `peer speaks protocol v${hello.v}, this side speaks v${localVersion}`,
    },
  };
}
