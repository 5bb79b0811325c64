/**
 * Retry schedule for the outbox, as data: the n-th failed attempt waits
 * BACKOFF_MS[n] (the last entry repeats), with ±20 % jitter so many queued
 * items don't retry in lock-step. A peer seen again is retried at once anyway.
 */
import type { Random } from '../clock.js';

export const BACKOFF_MS: readonly number[] = [2_000, 5_000, 15_000, 30_000, 60_000, 120_000, 300_000];
export const BACKOFF_JITTER = 0.2;

export function backoffDelay(failedAttempts: number, random: Random): number {
  const base = BACKOFF_MS[Math.min(Math.max(failedAttempts - 1, 0), BACKOFF_MS.length - 1)]!;
  const jitter = 1 + (random.next() * 2 - 1) * BACKOFF_JITTER;
  return Math.round(base * jitter);
}
