import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkLocalPath, tallyFolder } from '../../../src/core/engine/local-paths.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('checkLocalPath', () => {
  it('a folder: its regular files counted and their sizes summed, nested ones too, links not followed', async () => {
    dir = mkdtempSync(join(tmpdir(), 'peerdeck-paths-'));
    const root = join(dir, 'trip photos');
    mkdirSync(join(root, 'day 1'), { recursive: true });
    writeFileSync(join(root, 'a.jpg'), Buffer.alloc(1000));
    writeFileSync(join(root, 'day 1', 'b.jpg'), Buffer.alloc(2500));
    writeFileSync(join(dir, 'outside.bin'), Buffer.alloc(99_999));
    symlinkSync(join(dir, 'outside.bin'), join(root, 'link.bin'));
    expect(await checkLocalPath(root)).toEqual({ ok: true, kind: 'folder', size: 3500, files: 2 });
    expect(await checkLocalPath(join(root, 'a.jpg'))).toEqual({ ok: true, kind: 'file', size: 1000 });
  });

  it('a folder with more entries than the limit is not counted (no files field)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'peerdeck-paths-'));
    for (let i = 0; i < 5; i++) writeFileSync(join(dir, `f${i}`), 'x');
    expect(await tallyFolder(dir, 4)).toBeUndefined();
    expect(await tallyFolder(dir, 5)).toEqual({ files: 5, size: 5 });
  });
});
