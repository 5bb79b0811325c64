/**
 * Discovery timing and limits. Each value says why it is what it is; tests use
 * the names, never the numbers.
 */

/** Default UDP port (DESIGN §4). */
export const DEFAULT_DISCOVERY_PORT = 51515;

/** Periodic announce (PING without QUERY). */
export const ANNOUNCE_INTERVAL_MS = 5_000;
/**
 * ±25 % jitter on every announce, so peers started together (a script, a
 * power cut) do not broadcast in lockstep forever.
 */
export const ANNOUNCE_JITTER = 0.25;
/**
 * A second query shortly after start, in case the first one was lost or went
 * out before a peer started at the same moment had bound its socket. Jittered
 * like the announce.
 */
export const REQUERY_AFTER_MS = 1_000;
/** Silent this long (about three announces) → stale. */
export const STALE_AFTER_MS = 3 * ANNOUNCE_INTERVAL_MS;
/**
 * Silent this long → forgotten (peer-gone, reason 'expired'). Keeps a table
 * filled by a flood of random device IDs from living forever (reliability D3).
 */
export const FORGET_AFTER_MS = 10 * 60_000;
/** How often the table is checked for stale and forgotten peers. */
export const SWEEP_INTERVAL_MS = 1_000;
/** Table cap; the least recently heard peer is evicted first (reliability D3). */
export const MAX_PEERS = 256;

/**
 * A PONG is sent after a random delay in [min, max] (as mDNS does, RFC 6762
 * §6), and one pending PONG answers every query that arrives meanwhile. PONGs
 * are broadcast, so one reply serves all the peers that started together.
 */
export const PONG_DELAY_MIN_MS = 20;
export const PONG_DELAY_MAX_MS = 120;

/**
 * Inbound datagrams per source address (the IP, not ip:port: a flooder rotating
 * source ports is still one source). Every process on a host sends from the
 * shared discovery port anyway, so a host with a handful of peerdeck processes
 * stays far below this.
 */
export const INBOUND_PER_SOURCE = { capacity: 40, refillPerSecond: 20 } as const;
/** Inbound datagrams overall, beyond which we stop decoding (CPU bound under a flood). */
export const INBOUND_GLOBAL = { capacity: 1_000, refillPerSecond: 500 } as const;
/**
 * Device IDs not in the table yet, per source address: a host runs a few
 * peerdeck processes, so 8 at once, then one every 10 s. A flood of made-up IDs
 * from one address adds 8 peers (and 8 events), not hundreds.
 */
export const NEW_PEERS_PER_SOURCE = { capacity: 8, refillPerSecond: 0.1 } as const;
/**
 * New device IDs overall (bounds a flood with spoofed source addresses too):
 * a whole LAN's worth at once, then 2 a second.
 */
export const NEW_PEERS_GLOBAL = { capacity: 64, refillPerSecond: 2 } as const;
/** Number of per-source buckets kept; the oldest is dropped beyond this. */
export const MAX_RATE_LIMIT_KEYS = 4_096;
/** PONGs scheduled on behalf of one source IP. */
export const REPLY_PER_SOURCE = { capacity: 3, refillPerSecond: 0.5 } as const;
/** PONGs overall: a broadcast reply reaches every host, so keep it rare. */
export const REPLY_GLOBAL = { capacity: 5, refillPerSecond: 1 } as const;
