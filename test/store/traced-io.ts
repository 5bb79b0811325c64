/**
 * A JournalIo wrapper for tests: logs every operation, and lets a test hold a
 * datasync open (gate) or make a write / datasync fail.
 */
import type { JournalFile, JournalIo } from '../../src/store/journal-io.js';

export interface TracedIo extends JournalIo {
  readonly log: string[];
  /** While set, every datasync waits for this promise. */
  syncGate: Promise<void> | undefined;
  /** Next write writes `partialBytes` bytes, then throws this error. */
  failNextWrite: { error: NodeJS.ErrnoException; partialBytes: number } | undefined;
  failNextSync: NodeJS.ErrnoException | undefined;
}

export function tracedIo(inner: JournalIo): TracedIo {
  const io: TracedIo = {
    log: [],
    syncGate: undefined,
    failNextWrite: undefined,
    failNextSync: undefined,
    async open(file, create) {
      const opened = await inner.open(file, create);
      io.log.push(`open ${create}`);
      return { ...opened, file: wrap(opened.file) };
    },
    async rename(from, to) {
      io.log.push('rename');
      await inner.rename(from, to);
    },
    async unlink(file) {
      io.log.push('unlink');
      await inner.unlink(file);
    },
    async syncDir(dir) {
      io.log.push('syncDir');
      await inner.syncDir(dir);
    },
    list: (dir) => inner.list(dir),
  };
  const wrap = (f: JournalFile): JournalFile => ({
    read: (into, pos) => f.read(into, pos),
    async write(data, pos) {
      const fail = io.failNextWrite;
      if (fail) {
        io.failNextWrite = undefined;
        io.log.push('write failed');
        await f.write(data.subarray(0, fail.partialBytes), pos);
        throw fail.error;
      }
      io.log.push(`write ${data.length}`);
      await f.write(data, pos);
    },
    async datasync() {
      io.log.push('datasync start');
      if (io.syncGate) await io.syncGate;
      const fail = io.failNextSync;
      if (fail) {
        io.failNextSync = undefined;
        io.log.push('datasync failed');
        throw fail;
      }
      await f.datasync();
      io.log.push('datasync end');
    },
    async truncate(len) {
      io.log.push(`truncate ${len}`);
      await f.truncate(len);
    },
    size: () => f.size(),
    close: () => f.close(),
  });
  return io;
}

export function errnoError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(code), { code });
}
