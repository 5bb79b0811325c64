/**
 * Transfer tuning and limits, each with the reason for its value. Wire-level
 * constants (chunk size, caps on offers) live in src/protocol.
 */

/**
 * Chunks in flight per bulk connection: read and hashed ahead by the sender,
 * on the wire, or being written by the receiver, not yet acknowledged. It is
 * the memory per connection on each side (WINDOW_CHUNKS × chunk size) and the
 * most a resume can send twice. Measured with 1 MiB chunks (1 GiB, loopback,
 * 2 cores, MB/s median of 3–5 alternated runs): 4 → 270, 8 → 324, 12 → 296,
 * 16 → 336. Past 8 the gain is within the noise for twice the memory and
 * twice the re-sent bytes; 8 MiB also covers 1 Gbit/s × 60 ms of round trip.
 */
export const WINDOW_CHUNKS = 8;

/** Receiver: fsync data and record verified chunk hashes after this many bytes... */
export const CHECKPOINT_BYTES = 32 * 1024 * 1024;
/** ...or this long, whichever comes first (a slow link still checkpoints). */
export const CHECKPOINT_MS = 2_000;

/** Progress (views, `transfer-progress` events, rates) is sampled on this tick, never per chunk. */
export const PROGRESS_SAMPLE_MS = 500;
/** Rate smoothing: weight of the newest sample in the moving average. */
export const RATE_SMOOTHING = 0.3;

/** A bulk connection must present BULK_OPEN within this time, or it is closed. */
export const BULK_OPEN_TIMEOUT_MS = 5_000;

/** Default wait for the receiver's answer to an offer (settings.offerTimeoutMs overrides). */
export const DEFAULT_OFFER_TIMEOUT_MS = 120_000;
/** A resumed transfer (an offer the receiver already accepted) is answered by the receiver's engine at once. */
export const RESUME_ANSWER_TIMEOUT_MS = 30_000;

/** Waits before re-offering after a dropped bulk connection or a pause, while the peer stays online. */
export const RETRY_BACKOFF_MS: readonly number[] = [500, 1_000, 2_000, 5_000, 10_000, 30_000];
/** A disk-full pause is retried this often (the user may free space meanwhile). */
export const NO_SPACE_RETRY_MS = 30_000;

/** A source that keeps changing under the sender is given up after this many restarts. */
export const MAX_SOURCE_RESTARTS = 3;
/** Chunks whose SHA-256 did not match (or roots that did not) before the receiver gives up. */
export const MAX_VERIFY_STRIKES = 3;

/** Free space kept back when accepting: max(1 % of the file system, 64 MiB), like Syncthing's minDiskFree. */
export const SPACE_RESERVE_FRACTION = 0.01;
export const SPACE_RESERVE_MIN_BYTES = 64 * 1024 * 1024;

/** Below this many bytes a chunk is hashed on the calling thread: a worker round trip (~0.1 ms) costs more. */
export const INLINE_HASH_BYTES = 64 * 1024;

/** Finished transfers kept in views() for the dashboard. */
export const MAX_FINISHED_VIEWS = 50;

/** Receiver: files whose data is being finalised (fsync, root check) at once; many small files overlap their fsyncs. */
export const FINALIZE_CONCURRENCY = 16;
/** Receiver: publish (link + journal) this many files at once in the publish phase. */
export const PUBLISH_CONCURRENCY = 32;

/** Sender: chunk-hash cache, in memory (LRU by total hash bytes). */
export const HASH_CACHE_MAX_BYTES = 64 * 1024 * 1024;
/** Sender: files with fewer chunks than this are not persisted in the hash cache (re-reading them is cheap). */
export const HASH_CACHE_MIN_CHUNKS = 4;
/** Sender: persisted hash-cache entries kept when the journal is compacted. */
export const HASH_CACHE_MAX_FILES = 256;

/**
 * Receiver caps against a peer that offers and never sends (issue 17). The manifest of an offer
 * (its file and folder list) is counted as the UTF-8 bytes of its paths plus 32 per file and 8
 * per folder. One offer may list at most MAX_OFFER_MANIFEST_BYTES (refused with BAD_OFFER):
 * 4 MiB is ~40,000 files with 100-byte paths.
 */
export const MAX_OFFER_MANIFEST_BYTES = 4 * 1024 * 1024;
/** The unfinished incoming transfers of one peer (waiting or running) hold at most this much manifest; more is refused with BUSY. */
export const MAX_PEER_MANIFEST_BYTES = 16 * 1024 * 1024;
/** Accepted transfers of one peer that have no data connection at the moment; one more offer is refused with BUSY. */
export const MAX_IDLE_ACCEPTED_PER_PEER = 4;
/**
 * An accepted transfer that gets no data for this long while its peer is online is ended
 * (CANCEL TIMEOUT to the sender, partial data removed, its records leave the journal at the next
 * compaction). An honest sender dials the data connection at once and re-offers within 30 s of a
 * drop, so two minutes of silence from an online peer means it is not going to send. Time while
 * the peer is offline does not count: a transfer waiting for a sleeping laptop keeps its data.
 */
export const ACCEPTED_IDLE_EXPIRY_MS = 120_000;
/** The idle check runs this often. */
export const ACCEPTED_IDLE_CHECK_MS = 5_000;

