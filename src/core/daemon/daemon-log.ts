/**
 * The daemon's log: `<config-dir>/daemon.log`, capped in size. The daemon's
 * stdout and stderr are this file, opened for appending by the process that
 * starts it (so even a crash's last words land there). When it grows past the
 * cap it is copied to `daemon.log.1` (replacing the older one) and truncated
 * in place: every writer appends (O_APPEND), so writes go on at the new end.
 * A line written between the copy and the truncation can be lost.
 */
import { copyFileSync, statSync, truncateSync } from 'node:fs';
import path from 'node:path';

export const DAEMON_LOG_NAME = 'daemon.log';
/** Default cap: 1 MiB here, 1 MiB in `.1`. */
export const DAEMON_LOG_MAX_BYTES = 1024 * 1024;

export function daemonLogPath(configRoot: string): string {
  return path.join(configRoot, DAEMON_LOG_NAME);
}

/** Rotate `file` if it is at least `maxBytes` long; true if it did. */
export function rotateIfFull(file: string, maxBytes = DAEMON_LOG_MAX_BYTES): boolean {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return false;
  }
  if (size < maxBytes) return false;
  copyFileSync(file, `${file}.1`);
  truncateSync(file, 0);
  return true;
}

/** Counts what is written and rotates the file once the count could have reached the cap. */
export class LogCap {
  private sinceCheck = 0;

  constructor(
    private readonly file: string,
    private readonly maxBytes = DAEMON_LOG_MAX_BYTES,
  ) {}

  /** Call after writing `bytes` to the log. */
  wrote(bytes: number): void {
    this.sinceCheck += bytes;
    if (this.sinceCheck < Math.max(1, Math.floor(this.maxBytes / 16))) return;
    this.sinceCheck = 0;
    try {
      rotateIfFull(this.file, this.maxBytes);
    } catch {
      // a log that cannot rotate keeps growing rather than stopping the engine
    }
  }
}
