/**
 * Token buckets on an injected clock: `capacity` tokens at most, refilled
 * continuously at `refillPerSecond`. A bucket starts full.
 */
import type { Clock } from '../clock.js';

export interface BucketConfig {
  readonly capacity: number;
  readonly refillPerSecond: number;
}

type Now = Pick<Clock, 'now'>;

interface BucketState {
  tokens: number;
  at: number;
}

function refill(state: BucketState, config: BucketConfig, now: number): void {
  const elapsed = Math.max(0, now - state.at);
  state.tokens = Math.min(config.capacity, state.tokens + (elapsed * config.refillPerSecond) / 1000);
  state.at = now;
}

export class TokenBucket {
  private readonly state: BucketState;

  constructor(
    private readonly config: BucketConfig,
    private readonly clock: Now,
  ) {
    this.state = { tokens: config.capacity, at: clock.now() };
  }

  /** Takes `n` tokens if there are that many; otherwise takes none and returns false. */
  tryTake(n = 1): boolean {
    refill(this.state, this.config, this.clock.now());
    if (this.state.tokens < n) return false;
    this.state.tokens -= n;
    return true;
  }

  /** Tokens available now. */
  get tokens(): number {
    refill(this.state, this.config, this.clock.now());
    return this.state.tokens;
  }
}

/**
 * One bucket per key (e.g. per source address), with a cap on the number of
 * keys so a sender rotating addresses cannot grow memory: beyond `maxKeys` the
 * oldest key is forgotten (it would come back with a full bucket anyway, which
 * is what a new key gets; an overall bucket is what bounds that case).
 */
export class KeyedRateLimiter {
  private readonly buckets = new Map<string, BucketState>();

  constructor(
    private readonly config: BucketConfig,
    private readonly clock: Now,
    private readonly maxKeys: number,
  ) {}

  tryTake(key: string, n = 1): boolean {
    const now = this.clock.now();
    let state = this.buckets.get(key);
    if (!state) {
      state = { tokens: this.config.capacity, at: now };
      this.buckets.set(key, state);
      if (this.buckets.size > this.maxKeys) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
    }
    refill(state, this.config, now);
    if (state.tokens < n) return false;
    state.tokens -= n;
    return true;
  }

  /** Keys currently tracked. */
  get size(): number {
    return this.buckets.size;
  }

  clear(): void {
    this.buckets.clear();
  }
}
