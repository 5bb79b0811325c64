/** Deposits per depositor per minute: a token bucket per device ID (burst = the per-minute count). */
import type { DeviceId } from '../protocol/device-id.js';

interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets kept at most; full ones are forgotten first when over (they carry no state worth keeping). */
const MAX_BUCKETS = 100_000;

export class DepositRate {
  private readonly buckets = new Map<DeviceId, Bucket>();

  constructor(private readonly perMinute: number) {}

  /** Take one token for `who` at `now`; false when the depositor is over its rate. */
  take(who: DeviceId, now: number): boolean {
    const b = this.buckets.get(who) ?? { tokens: this.perMinute, at: now };
    b.tokens = Math.min(this.perMinute, b.tokens + ((now - b.at) * this.perMinute) / 60_000);
    b.at = now;
    this.buckets.set(who, b);
    if (this.buckets.size > MAX_BUCKETS) this.forgetFull(now);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  private forgetFull(now: number): void {
    for (const [id, b] of this.buckets) {
      if (b.tokens + ((now - b.at) * this.perMinute) / 60_000 >= this.perMinute) this.buckets.delete(id);
    }
  }
}
