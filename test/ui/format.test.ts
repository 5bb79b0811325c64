import { describe, expect, it } from 'vitest';
import {
  formatAgo,
  formatBytes,
  formatCode,
  formatCountdown,
  formatDuration,
  formatEta,
  formatRate,
  formatRtt,
  percent,
  progressBar,
} from '../../src/ui/format.js';

describe('format', () => {
  it('formats byte sizes in IEC units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(734 * 1024 * 1024)).toBe('734 MiB');
    expect(formatBytes(1.5 * 1024 ** 3)).toBe('1.5 GiB');
    expect(formatBytes(1024 * 1024 - 1)).toBe('1.0 MiB');
    expect(formatBytes(-1)).toBe('?');
    expect(formatBytes(Number.NaN)).toBe('?');
  });

  it('formats rates, durations and ETAs', () => {
    expect(formatRate(48.2 * 1024 * 1024)).toBe('48.2 MiB/s');
    expect(formatRate(0)).toBe('0 B/s');
    expect(formatDuration(45)).toBe('45s');
    expect(formatDuration(200)).toBe('3m 20s');
    expect(formatDuration(3900)).toBe('1h 05m');
    expect(formatDuration(2 * 86400 + 3 * 3600)).toBe('2d 3h');
    expect(formatEta(undefined)).toBe('—');
    expect(formatEta(0.3)).toBe('<1s');
    expect(formatEta(17)).toBe('17s');
  });

  it('says how long ago a peer was seen', () => {
    const now = 1_000_000_000;
    expect(formatAgo(undefined, now)).toBe('never');
    expect(formatAgo(now - 3_000, now)).toBe('just now');
    expect(formatAgo(now - 40_000, now)).toBe('40 s ago');
    expect(formatAgo(now - 3 * 60_000, now)).toBe('3 min ago');
    expect(formatAgo(now - 3 * 3600_000, now)).toBe('3 h ago');
    expect(formatAgo(now - 5 * 86400_000, now)).toBe('5 d ago');
  });

  it('counts down to the next attempt', () => {
    expect(formatCountdown(14_000, 0)).toBe('in 14 s');
    expect(formatCountdown(13_001, 0)).toBe('in 14 s');
    expect(formatCountdown(0, 5)).toBe('now');
    expect(formatCountdown(120_000, 0)).toBe('in 2m 00s');
    expect(formatCountdown(undefined, 0)).toBe('soon');
  });

  it('formats RTT, the pairing code and percentages', () => {
    expect(formatRtt(0.4)).toBe('<1 ms');
    expect(formatRtt(12.4)).toBe('12 ms');
    expect(formatRtt(1500)).toBe('1.5 s');
    expect(formatRtt(undefined)).toBe('');
    expect(formatCode('123456')).toBe('123 456');
    expect(formatCode('12345')).toBe('12345');
    expect(percent(1, 3)).toBe(33);
    expect(percent(5, 0)).toBe(100);
    expect(percent(0, 0)).toBe(0);
  });

  it('draws a progress bar of exactly the requested width', () => {
    for (const width of [1, 5, 10, 33]) {
      for (const done of [0, 1, 37, 50, 99, 100]) {
        expect([...progressBar(done, 100, width)]).toHaveLength(width);
      }
    }
    expect(progressBar(50, 100, 10)).toBe('█████░░░░░');
    expect(progressBar(100, 100, 4)).toBe('████');
    expect(progressBar(0, 0, 3)).toBe('░░░');
    expect(progressBar(1, 2, 0)).toBe('');
  });
});
