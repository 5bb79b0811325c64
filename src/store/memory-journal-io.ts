/**
 * A JournalIo over memory, for the memory store and tests: the same journal
 * code runs, only the bytes live in a Map. Open files keep their contents
 * across rename and unlink, like file descriptors do.
 */
import path from 'node:path';
import type { JournalFile, JournalIo } from './journal-io.js';

interface Inode {
  data: Buffer;
  size: number;
}

function fsError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

class MemoryFile implements JournalFile {
  private closed = false;
  constructor(private readonly inode: Inode) {}
  private check(): void {
    if (this.closed) throw fsError('EBADF', 'file is closed');
  }
  async read(into: Buffer, position: number): Promise<number> {
    this.check();
    const n = Math.max(0, Math.min(into.length, this.inode.size - position));
    this.inode.data.copy(into, 0, position, position + n);
    return n;
  }
  async write(data: Buffer, position: number): Promise<void> {
    this.check();
    const end = position + data.length;
    if (end > this.inode.data.length) {
      const grown = Buffer.alloc(Math.max(end, this.inode.data.length * 2));
      this.inode.data.copy(grown, 0, 0, this.inode.size);
      this.inode.data = grown;
    }
    data.copy(this.inode.data, position);
    this.inode.size = Math.max(this.inode.size, end);
  }
  async datasync(): Promise<void> {
    this.check();
  }
  async truncate(length: number): Promise<void> {
    this.check();
    if (length > this.inode.size) return this.write(Buffer.alloc(length - this.inode.size), this.inode.size);
    this.inode.data.fill(0, length, this.inode.size);
    this.inode.size = length;
  }
  async size(): Promise<number> {
    this.check();
    return this.inode.size;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

export function memoryJournalIo(): JournalIo {
  const files = new Map<string, Inode>();
  return {
    async open(file, create) {
      let inode = files.get(file);
      if (inode && create === 'exclusive') throw fsError('EEXIST', file);
      const created = !inode;
      if (!inode) {
        inode = { data: Buffer.alloc(0), size: 0 };
        files.set(file, inode);
      }
      return { file: new MemoryFile(inode), created };
    },
    async rename(from, to) {
      const inode = files.get(from);
      if (!inode) throw fsError('ENOENT', from);
      files.delete(from);
      files.set(to, inode);
    },
    async unlink(file) {
      if (!files.delete(file)) throw fsError('ENOENT', file);
    },
    async syncDir() {},
    async list(dir) {
      return [...files.keys()].filter((f) => path.dirname(f) === dir).map((f) => path.basename(f));
    },
  };
}
