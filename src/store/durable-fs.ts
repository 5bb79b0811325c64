/**
 * The two primitives every crash-safe write here is built from: a file written
 * exclusively and fsynced before it is closed, and an fsynced directory (a
 * create, rename or link is durable only once its directory is).
 */
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { open } from 'node:fs/promises';

/** Create `file` (O_CREAT|O_EXCL, so never through a planted name), write `data`, fsync, close. */
export async function writeFileDurable(file: string, data: string | Uint8Array, mode: number): Promise<void> {
  const fh = await open(file, 'wx', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** fsync a directory so the names created, renamed or removed in it survive a crash. */
export async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return; // directories cannot be opened for fsync there
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** `syncDir` for synchronous writers (conf writes synchronously). */
export function syncDirSync(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
