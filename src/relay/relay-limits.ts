/**
 * The relay's limits, each a named default with a `peerdeck relay` flag
 * (relay.md R3). Exceeding one gives the client a typed RELAY_REFUSED, never a
 * silent drop or an eviction of someone else's mail.
 */
import { MAX_ENVELOPE_BYTES } from '../protocol/relay/envelope.js';

/** `peerdeck relay` listens here unless --port says otherwise (the default). */
export const DEFAULT_RELAY_PORT = 51516;

export interface RelayLimits {
  /** Registered clients at once (≈ 60 KB each, relay.md: 1000 ≈ 60 MB). --max-clients */
  readonly maxClients: number;
  /** One envelope's bytes; at most MAX_ENVELOPE_BYTES, the wire cap. --max-envelope */
  readonly maxEnvelopeBytes: number;
  /** Envelopes held per recipient (SMP 128/queue, ejabberd 100; relay.md 1000). --max-queue */
  readonly maxQueueEnvelopes: number;
  /** Bytes held per recipient. --max-queue-bytes */
  readonly maxQueueBytes: number;
  /** Bytes held across all recipients. --max-total-bytes */
  readonly maxTotalBytes: number;
  /** A held envelope expires after this (SimpleX 21 d, Signal 14 d, chatmail 2 d). --ttl (seconds) */
  readonly ttlMs: number;
  /** Deposits per depositor per minute (token bucket, burst = the same number). --deposits-per-minute */
  readonly depositsPerMinute: number;
  /** Keepalive interval the relay advertises in RELAY_OK (clients send 60 s ± 10 %). */
  readonly pingMs: number;
  /** A client that sends nothing for this long is dropped (2.5 × the keepalive, as Syncthing/DERP). --silent-drop (seconds) */
  readonly silentDropMs: number;
  /** How often expired envelopes are swept. */
  readonly sweepMs: number;
}

export const DEFAULT_RELAY_LIMITS: RelayLimits = {
  maxClients: 1_000,
  maxEnvelopeBytes: MAX_ENVELOPE_BYTES,
  maxQueueEnvelopes: 1_000,
  maxQueueBytes: 16 * 1024 * 1024,
  maxTotalBytes: 256 * 1024 * 1024,
  ttlMs: 7 * 24 * 3_600_000,
  depositsPerMinute: 120,
  pingMs: 60_000,
  silentDropMs: 150_000,
  sweepMs: 60_000,
};
