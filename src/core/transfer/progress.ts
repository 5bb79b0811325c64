/** Sampled progress: a smoothed rate per transfer, updated on the manager's tick (never per chunk). */
import { RATE_SMOOTHING } from './constants.js';

export class RateMeter {
  private lastBytes: number | undefined;
  private lastAt = 0;
  /** Bytes per second, smoothed. */
  rate = 0;

  /** Feed the counter at time `now` (ms); returns true if it moved since the last sample. */
  sample(bytes: number, now: number): boolean {
    if (this.lastBytes === undefined || bytes < this.lastBytes) {
      this.lastBytes = bytes;
      this.lastAt = now;
      return true;
    }
    const dt = (now - this.lastAt) / 1000;
    const moved = bytes !== this.lastBytes;
    if (dt > 0) {
      const instant = (bytes - this.lastBytes) / dt;
      this.rate = this.rate === 0 ? instant : this.rate + RATE_SMOOTHING * (instant - this.rate);
    }
    this.lastBytes = bytes;
    this.lastAt = now;
    return moved;
  }

  reset(): void {
    this.lastBytes = undefined;
    this.rate = 0;
  }

  /** Seconds left at the current rate, or undefined when unknown. */
  eta(remaining: number): number | undefined {
    if (this.rate <= 0 || remaining <= 0) return remaining <= 0 ? 0 : undefined;
    return Math.ceil(remaining / this.rate);
  }
}
