/**
 * The file-descriptor operations the transfer hot paths use, as promises over
 * node:fs callbacks (lighter than FileHandle objects). An interface, so tests
 * can inject faults (ENOSPC on the n-th write) without touching a real disk.
 */
import * as fs from 'node:fs';

export interface TransferFs {
  open(path: string, flags: number, mode?: number): Promise<number>;
  close(fd: number): Promise<void>;
  /** Reads up to `length` bytes; fewer only at end of file. */
  read(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  /** Writes all `length` bytes (loops over short writes). */
  write(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): Promise<void>;
  fsync(fd: number): Promise<void>;
  fdatasync(fd: number): Promise<void>;
  ftruncate(fd: number, length: number): Promise<void>;
  fstat(fd: number): Promise<fs.Stats>;
}

const done = <T>(resolve: (v: T) => void, reject: (e: Error) => void) => (err: Error | null, v: T) => (err ? reject(err) : resolve(v));

function writeAll(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (off: number, left: number, pos: number): void => {
      fs.write(fd, buffer, off, left, pos, (err, n) => {
        if (err) return reject(err);
        if (n === left) return resolve();
        if (n === 0) return reject(Object.assign(new Error('write made no progress'), { code: 'EIO' }));
        step(off + n, left - n, pos + n);
      });
    };
    step(offset, length, position);
  });
}

export const nodeFs: TransferFs = {
  open: (path, flags, mode) => new Promise((res, rej) => fs.open(path, flags, mode ?? 0o644, done(res, rej))),
  close: (fd) => new Promise((res, rej) => fs.close(fd, (err) => (err ? rej(err) : res()))),
  read: (fd, buffer, offset, length, position) => new Promise((res, rej) => fs.read(fd, buffer, offset, length, position, done(res, rej))),
  write: writeAll,
  fsync: (fd) => new Promise((res, rej) => fs.fsync(fd, (err) => (err ? rej(err) : res()))),
  fdatasync: (fd) => new Promise((res, rej) => fs.fdatasync(fd, (err) => (err ? rej(err) : res()))),
  ftruncate: (fd, length) => new Promise((res, rej) => fs.ftruncate(fd, length, (err) => (err ? rej(err) : res()))),
  fstat: (fd) => new Promise((res, rej) => fs.fstat(fd, done(res, rej))),
};

/** The errno code of a thrown fs error, if any. */
export function errnoCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
