import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { KeyedRateLimiter, TokenBucket } from '../../../src/core/discovery/rate-limiter.js';

describe('TokenBucket', () => {
  it('allows a burst of `capacity`, then refills at the given rate', () => {
    const clock = new ManualClock();
    const b = new TokenBucket({ capacity: 3, refillPerSecond: 2 }, clock);
    expect([b.tryTake(), b.tryTake(), b.tryTake(), b.tryTake()]).toEqual([true, true, true, false]);
    clock.advance(499);
    expect(b.tryTake()).toBe(false);
    clock.advance(1);
    expect(b.tryTake()).toBe(true);
    expect(b.tryTake()).toBe(false);
  });

  it('never holds more than capacity however long it idles', () => {
    const clock = new ManualClock();
    const b = new TokenBucket({ capacity: 2, refillPerSecond: 100 }, clock);
    clock.advance(60_000);
    expect(b.tokens).toBe(2);
    expect(b.tryTake(3)).toBe(false);
    expect(b.tokens).toBe(2); // a failed take takes nothing
    expect(b.tryTake(2)).toBe(true);
  });

  it('supports fractional rates', () => {
    const clock = new ManualClock();
    const b = new TokenBucket({ capacity: 1, refillPerSecond: 0.5 }, clock);
    expect(b.tryTake()).toBe(true);
    clock.advance(1_999);
    expect(b.tryTake()).toBe(false);
    clock.advance(1);
    expect(b.tryTake()).toBe(true);
  });
});

describe('KeyedRateLimiter', () => {
  it('keeps a separate bucket per key', () => {
    const clock = new ManualClock();
    const l = new KeyedRateLimiter({ capacity: 2, refillPerSecond: 1 }, clock, 100);
    expect([l.tryTake('a'), l.tryTake('a'), l.tryTake('a')]).toEqual([true, true, false]);
    expect(l.tryTake('b')).toBe(true);
    clock.advance(1_000);
    expect(l.tryTake('a')).toBe(true);
    expect(l.tryTake('a')).toBe(false);
  });

  it('bounds the number of keys, dropping the oldest', () => {
    const clock = new ManualClock();
    const l = new KeyedRateLimiter({ capacity: 1, refillPerSecond: 0.001 }, clock, 3);
    for (let i = 0; i < 10_000; i++) l.tryTake(`k${i}`);
    expect(l.size).toBe(3);
    expect(l.tryTake('k9999')).toBe(false); // the newest keys are still limited
    expect(l.tryTake('k0')).toBe(true); // the oldest was forgotten
  });
});
