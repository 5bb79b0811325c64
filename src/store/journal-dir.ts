/**
 * The journals of one store: `<dir>/<name>.journal`. Checks names (no path
 * tricks), opens each journal at most once at a time, lists and removes them.
 */
import path from 'node:path';
import { journalError, Journal } from './journal.js';
import type { JournalIo } from './journal-io.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const SUFFIX = '.journal';

export class JournalDirectory {
  private readonly open = new Map<string, Promise<Journal>>();

  constructor(
    readonly dir: string,
    private readonly io: JournalIo,
  ) {}

  fileFor(name: string): string {
    if (!NAME.test(name)) {
      throw journalError(`journal name ${JSON.stringify(name)} must be 1-128 letters, digits, '.', '_' or '-'`);
    }
    return path.join(this.dir, name + SUFFIX);
  }

  /** Open `name`; `ERR_JOURNAL` if it is already open (two writers would interleave). */
  async openJournal(name: string): Promise<Journal> {
    const file = this.fileFor(name);
    if (this.open.has(name)) throw journalError(`journal ${name} is already open`);
    const opening = Journal.open(file, { io: this.io, onClose: () => this.open.delete(name) });
    this.open.set(name, opening);
    opening.catch(() => this.open.delete(name));
    return opening;
  }

  async list(): Promise<string[]> {
    const names = await this.io.list(this.dir).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw journalError(`cannot list ${this.dir}: ${(err as Error).message}`, err);
    });
    return names
      .filter((n) => n.endsWith(SUFFIX))
      .map((n) => n.slice(0, -SUFFIX.length))
      .filter((n) => NAME.test(n))
      .sort();
  }

  async remove(name: string): Promise<boolean> {
    const file = this.fileFor(name);
    if (this.open.has(name)) throw journalError(`journal ${name} is open; close it first`);
    try {
      await this.io.unlink(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw journalError(`cannot remove ${file}: ${(err as Error).message}`, err);
    }
    await this.io.syncDir(this.dir);
    return true;
  }

  async closeAll(): Promise<void> {
    const opening = [...this.open.values()];
    await Promise.all(opening.map((p) => p.then((j) => j.close()).catch(() => undefined)));
  }
}
