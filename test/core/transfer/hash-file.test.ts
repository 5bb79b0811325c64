/**
 * Issue 17, item 5: hashFile refuses anything that is not a regular file
 * without waiting on it (`peerdeck hash FIFO` used to hang for ever: opening
 * a FIFO for reading blocks until a writer appears).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashFile } from '../../../src/core/transfer/hash-file.js';
import { cleanupTempDirs, tempDir } from './helpers/files.js';

afterEach(() => cleanupTempDirs());

/** The error code of `p`, or 'hung' if it has not settled within `ms`. */
async function outcome(p: Promise<unknown>, ms = 2_000): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('hung'), ms)));
  const settled = p.then(
    () => 'ok',
    (err: unknown) => String((err as { code?: string }).code),
  );
  try {
    return await Promise.race([settled, hung]);
  } finally {
    clearTimeout(timer);
  }
}

describe('hashFile on special files', () => {
  it('refuses a FIFO at once with ERR_BAD_SOURCE', async () => {
    const fifo = path.join(tempDir(), 'pipe');
    execFileSync('mkfifo', [fifo]);
    expect(await outcome(hashFile(fifo))).toBe('ERR_BAD_SOURCE');
  });

  it('refuses a device and a folder, and still hashes a regular file', async () => {
    const dir = tempDir();
    expect(await outcome(hashFile('/dev/null'))).toBe('ERR_BAD_SOURCE');
    expect(await outcome(hashFile(dir))).toBe('ERR_BAD_SOURCE');
    expect(await outcome(hashFile(path.join(dir, 'missing')))).toBe('ERR_BAD_SOURCE');
    writeFileSync(path.join(dir, 'f'), 'hello');
    expect((await hashFile(path.join(dir, 'f'))).size).toBe(5);
  });
});
