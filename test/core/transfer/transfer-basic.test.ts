/**
 * Real TLS on 127.0.0.1, real files: offers land byte-identical, at the chunk
 * boundaries, as folders with empty folders, and many small files share one
 * bulk connection.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, pseudoRandom, sha256File, writeFile } from './helpers/files.js';
import { startPair, type Pair } from './helpers/pair.js';

const CS = 64 * 1024; // small chunks keep the boundary cases quick; the protocol is the same at 1 MiB
let pair: Pair | undefined;
afterEach(async () => {
  await pair?.stop();
  pair = undefined;
  cleanupTempDirs();
});

async function send(p: Pair, paths: string[]) {
  const { transferId } = await p.a.manager.offer(p.b.deviceId, paths);
  const result = await p.a.manager.waitFor(transferId);
  return { transferId, result };
}

describe('transfers over real TLS', () => {
  it.each([
    ['empty', 0],
    ['one byte', 1],
    ['chunk - 1', CS - 1],
    ['exactly one chunk', CS],
    ['chunk + 1', CS + 1],
    ['many chunks', 5 * CS + 123],
  ])('sends a file byte-identical: %s', async (_name, size) => {
    pair = await startPair({ chunkSize: CS }, {});
    const file = writeFile(path.join(pair.src, `f-${size}.bin`), pseudoRandom(size, size + 7));
    const done = pair.b.next('transfer-done');
    const { result } = await send(pair, [file]);
    expect(result).toEqual({ ok: true });
    const landed = (await done).paths;
    expect(landed).toEqual([`f-${size}.bin`]);
    const out = path.join(pair.b.opts.downloads, landed[0]!);
    expect(sha256File(out)).toBe(sha256File(file));
    expect(statSync(out).mode & 0o7777).toBe(0o644 & ~process.umask());
    expect(pair.a.bulkOut).toBe(1);
  });

  it('sends a nested folder with an empty folder, structure kept, nothing left in the partial folder', async () => {
    pair = await startPair({ chunkSize: CS }, {});
    const dir = path.join(pair.src, 'proj');
    writeFile(path.join(dir, 'README.md'), '# hi\n');
    writeFile(path.join(dir, 'src/deep/er/x.bin'), pseudoRandom(3 * CS + 5, 3));
    writeFile(path.join(dir, 'src/y.txt'), 'y');
    mkdirSync(path.join(dir, 'empty/inner-empty'), { recursive: true });
    const { result } = await send(pair, [dir]);
    expect(result).toEqual({ ok: true });
    const dl = pair.b.opts.downloads;
    for (const rel of ['README.md', 'src/deep/er/x.bin', 'src/y.txt']) {
      expect(readFileSync(path.join(dl, 'proj', rel)).equals(readFileSync(path.join(dir, rel)))).toBe(true);
    }
    expect(statSync(path.join(dl, 'proj/empty/inner-empty')).isDirectory()).toBe(true);
    const partial = path.join(dl, '.peerdeck-partial');
    expect(readdirOrEmpty(partial)).toEqual([]);
  });

  it('sends what a link the user named points to (file and folder), under the link\'s name', async () => {
    pair = await startPair({}, {});
    writeFile(path.join(pair.src, 'real/target.bin'), pseudoRandom(5000, 2));
    writeFile(path.join(pair.src, 'realdir/inner.txt'), 'inner');
    symlinkSync(path.join(pair.src, 'real/target.bin'), path.join(pair.src, 'shortcut.bin'));
    symlinkSync(path.join(pair.src, 'realdir'), path.join(pair.src, 'dirlink'));
    const done = pair.b.next('transfer-done');
    const { result } = await send(pair, [path.join(pair.src, 'shortcut.bin'), path.join(pair.src, 'dirlink')]);
    expect(result).toEqual({ ok: true });
    expect((await done).paths).toEqual(['shortcut.bin', 'dirlink/inner.txt']);
    expect(readFileSync(path.join(pair.b.opts.downloads, 'shortcut.bin')).equals(readFileSync(path.join(pair.src, 'real/target.bin')))).toBe(true);
  });

  it('sends 300 small files over one bulk connection', async () => {
    pair = await startPair({}, {});
    const dir = path.join(pair.src, 'many');
    for (let i = 0; i < 300; i++) writeFile(path.join(dir, `d${i % 7}`, `f${i}.txt`), pseudoRandom(4096, i + 1));
    const done = pair.b.next('transfer-done');
    const { result } = await send(pair, [dir]);
    expect(result).toEqual({ ok: true });
    expect((await done).paths).toHaveLength(300);
    expect(pair.a.bulkOut).toBe(1);
    expect(pair.b.bulkIn).toBe(1);
    for (let i = 0; i < 300; i += 37) {
      const rel = path.join('many', `d${i % 7}`, `f${i}.txt`);
      expect(readFileSync(path.join(pair.b.opts.downloads, rel)).equals(readFileSync(path.join(pair.src, rel)))).toBe(true);
    }
  });
});

function readdirOrEmpty(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
