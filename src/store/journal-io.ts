/**
 * The file operations a journal needs, behind an interface so tests can count,
 * delay or fail them, and so the memory store can run the same journal code
 * without a disk. `nodeJournalIo` is the real thing.
 */
import { open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import { syncDir } from './durable-fs.js';

export interface JournalFile {
  /** Read up to `into.length` bytes at `position`; returns how many were read (0 at end of file). */
  read(into: Buffer, position: number): Promise<number>;
  /** Write all of `data` at `position`. */
  write(data: Buffer, position: number): Promise<void>;
  /** Make written data (and the file size) durable. */
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  size(): Promise<number>;
  close(): Promise<void>;
}

export interface JournalIo {
  /** Open read-write. 'if-missing' creates the file (0600) when absent; 'exclusive' requires creating it. */
  open(file: string, create: 'if-missing' | 'exclusive'): Promise<{ file: JournalFile; created: boolean }>;
  rename(from: string, to: string): Promise<void>;
  unlink(file: string): Promise<void>;
  /** fsync a directory, making creates, renames and unlinks in it durable. */
  syncDir(dir: string): Promise<void>;
  /** Names (not paths) in a directory. */
  list(dir: string): Promise<string[]>;
}

class NodeJournalFile implements JournalFile {
  constructor(private readonly fh: FileHandle) {}
  async read(into: Buffer, position: number): Promise<number> {
    return (await this.fh.read(into, 0, into.length, position)).bytesRead;
  }
  async write(data: Buffer, position: number): Promise<void> {
    let done = 0;
    while (done < data.length) {
      const { bytesWritten } = await this.fh.write(data, done, data.length - done, position + done);
      done += bytesWritten;
    }
  }
  datasync(): Promise<void> {
    return this.fh.datasync();
  }
  truncate(length: number): Promise<void> {
    return this.fh.truncate(length);
  }
  async size(): Promise<number> {
    return (await this.fh.stat()).size;
  }
  close(): Promise<void> {
    return this.fh.close();
  }
}

const errno = (err: unknown) => (err as NodeJS.ErrnoException).code;

export const nodeJournalIo: JournalIo = {
  async open(file, create) {
    if (create === 'exclusive') return { file: new NodeJournalFile(await open(file, 'wx+', 0o600)), created: true };
    for (;;) {
      try {
        return { file: new NodeJournalFile(await open(file, 'r+')), created: false };
      } catch (err) {
        if (errno(err) !== 'ENOENT') throw err;
      }
      try {
        return { file: new NodeJournalFile(await open(file, 'wx+', 0o600)), created: true };
      } catch (err) {
        if (errno(err) !== 'EEXIST') throw err; // created between our two opens: open it
      }
    }
  },
  rename: (from, to) => rename(from, to),
  unlink: (file) => unlink(file),
  syncDir,
  list: (dir) => readdir(dir),
};
