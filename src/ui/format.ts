/**
 * Pure formatting for the dashboard: byte sizes, rates, ETAs, durations,
 * "last seen" ages, pairing codes and progress bars. No React, no clock:
 * every function that needs "now" takes it as an argument.
 */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** `1536` → `1.5 KiB`. IEC units; one decimal below 100, none above. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '?';
  if (n < 1024) return `${Math.round(n)} B`;
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  const digits = v < 100 ? 1 : 0;
  // Rounding can carry to 1024.0 (e.g. 1023.96 KiB): show the next unit instead.
  if (Number(v.toFixed(digits)) >= 1024 && u < UNITS.length - 1) return `1.0 ${UNITS[u + 1]}`;
  return `${v.toFixed(digits)} ${UNITS[u]}`;
}

/** Bytes per second → `2.1 MiB/s`. */
export function formatRate(bytesPerSecond: number): string {
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return '0 B/s';
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** A span of seconds, compact: `45s`, `3m 20s`, `1h 05m`, `2d 3h`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  const d = Math.floor(h / 24);
  return `${d}d ${h % 24}h`;
}

/** Time left, or a dash when unknown. */
export function formatEta(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '—';
  if (seconds < 1) return '<1s';
  return formatDuration(seconds);
}

/** "last seen" wording from wall-clock ms: `just now`, `12 s ago`, `3 min ago`, `2 h ago`, `4 d ago`. */
export function formatAgo(thenMs: number | undefined, nowMs: number): string {
  if (thenMs === undefined) return 'never';
  const s = Math.max(0, (nowMs - thenMs) / 1000);
  if (s < 10) return 'just now';
  if (s < 60) return `${Math.floor(s)} s ago`;
  const m = s / 60;
  if (m < 60) return `${Math.floor(m)} min ago`;
  const h = m / 60;
  if (h < 48) return `${Math.floor(h)} h ago`;
  return `${Math.floor(h / 24)} d ago`;
}

/** Time until a monotonic deadline: `in 12 s`, `now`. */
export function formatCountdown(deadlineMs: number | undefined, nowMs: number): string {
  if (deadlineMs === undefined) return 'soon';
  const s = Math.ceil((deadlineMs - nowMs) / 1000);
  if (s <= 0) return 'now';
  return s < 60 ? `in ${s} s` : `in ${formatDuration(s)}`;
}

/** Heartbeat round trip: `12 ms`, `<1 ms`, `1.2 s`. */
export function formatRtt(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 1) return '<1 ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Six digits as two groups, `123 456`. Anything else is returned unchanged. */
export function formatCode(code: string): string {
  return /^\d{6}$/.test(code) ? `${code.slice(0, 3)} ${code.slice(3)}` : code;
}

/** Whole percent, clamped to 0–100 (100 only when done). */
export function percent(done: number, total: number): number {
  if (total <= 0) return done > 0 ? 100 : 0;
  const p = Math.floor((done / total) * 100);
  return Math.max(0, Math.min(100, p));
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'] as const;

/**
 * A progress bar exactly `width` cells wide: full blocks, one partial eighth
 * block, then light shade. Readable without colour.
 */
export function progressBar(done: number, total: number, width: number): string {
  if (width <= 0) return '';
  const ratio = total > 0 ? Math.max(0, Math.min(1, done / total)) : 0;
  const eighths = Math.floor(ratio * width * 8);
  const full = Math.floor(eighths / 8);
  const part = EIGHTHS[eighths % 8] ?? '';
  const bar = '█'.repeat(full) + part;
  const used = full + (part ? 1 : 0);
  return bar + '░'.repeat(Math.max(0, width - used));
}
