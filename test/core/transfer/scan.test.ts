/** Sender scan rules: structure, links, special files, name collisions, caps. */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scanSources, DEFAULT_SCAN_LIMITS } from '../../../src/core/transfer/scan.js';
import { cleanupTempDirs, tempDir, writeFile } from './helpers/files.js';
import { rejectedCode } from '../../helpers/error-code.js';

afterEach(cleanupTempDirs);

const codeOf = rejectedCode;

describe('scanSources', () => {
  it('keeps the relative structure and every folder, empty ones too, in sorted order', async () => {
    const root = tempDir();
    const dir = path.join(root, 'proj');
    writeFile(path.join(dir, 'b.txt'), 'bb');
    writeFile(path.join(dir, 'a/x.txt'), 'x');
    mkdirSync(path.join(dir, 'empty'));
    writeFile(path.join(root, 'single.bin'), '123');
    const s = await scanSources([dir, path.join(root, 'single.bin')]);
    expect(s.files.map((f) => [f.rel, f.size])).toEqual([['proj/a/x.txt', 1], ['proj/b.txt', 2], ['single.bin', 3]]);
    expect(s.dirs).toEqual(['proj', 'proj/a', 'proj/empty']);
    expect(s.totalBytes).toBe(6);
    expect(s.skipped).toEqual([]);
    expect(s.files[0]!.abs).toBe(path.join(dir, 'a/x.txt'));
  });

  it('never follows a link inside a folder, skips special files, reports both', async () => {
    const root = tempDir();
    const dir = path.join(root, 'd');
    writeFile(path.join(dir, 'real.txt'), 'r');
    writeFile(path.join(root, 'secret.txt'), 's');
    symlinkSync(path.join(root, 'secret.txt'), path.join(dir, 'link.txt'));
    symlinkSync(root, path.join(dir, 'loop'));
    execFileSync('mkfifo', [path.join(dir, 'fifo')]);
    const s = await scanSources([dir]);
    expect(s.files.map((f) => f.rel)).toEqual(['d/real.txt']);
    expect(s.skipped.map((x) => [path.basename(x.path), x.reason]).sort()).toEqual([['fifo', 'special'], ['link.txt', 'symlink'], ['loop', 'symlink']]);
  });

  it('follows a link the user named, once', async () => {
    const root = tempDir();
    writeFile(path.join(root, 'target.txt'), 'target');
    symlinkSync(path.join(root, 'target.txt'), path.join(root, 'named.txt'));
    const s = await scanSources([path.join(root, 'named.txt')]);
    expect(s.files.map((f) => [f.rel, f.size])).toEqual([['named.txt', 6]]);
  });

  it('refuses names equal after NFC, a file clashing with a folder, and names the receiver would refuse', async () => {
    const root = tempDir();
    writeFile(path.join(root, 'n/caf\u00e9.txt'), '1');
    writeFile(path.join(root, 'n/cafe\u0301.txt'), '2');
    expect(await codeOf(scanSources([path.join(root, 'n')]))).toBe('ERR_BAD_PATH');
    writeFile(path.join(root, 'x/a'), 'file named a');
    writeFile(path.join(root, 'y/a/inner.txt'), 'folder named a');
    expect(await codeOf(scanSources([path.join(root, 'x/a'), path.join(root, 'y/a')]))).toBe('ERR_BAD_PATH');
    writeFile(path.join(root, 'w/aux.txt'), 'windows device name');
    const err = (await scanSources([path.join(root, 'w/aux.txt')]).then(
      () => undefined,
      (e: unknown) => e,
    )) as { code: string; cause: { reason: string } };
    expect([err.code, err.cause.reason]).toEqual(['ERR_BAD_PATH', 'reserved-name']);
  });

  it('refuses over the caps while walking, and missing or special sources', async () => {
    const root = tempDir();
    for (let i = 0; i < 5; i++) writeFile(path.join(root, 'many', `f${i}`), 'x');
    expect(await codeOf(scanSources([path.join(root, 'many')], { ...DEFAULT_SCAN_LIMITS, maxEntries: 4 }))).toBe('ERR_OFFER_TOO_LARGE');
    writeFile(path.join(root, 'deep/1/2/3/4/f'), 'x');
    expect(await codeOf(scanSources([path.join(root, 'deep')], { ...DEFAULT_SCAN_LIMITS, maxDepth: 4 }))).toBe('ERR_OFFER_TOO_LARGE');
    writeFile(path.join(root, 'big/f'), 'xxxx');
    expect(await codeOf(scanSources([path.join(root, 'big')], { ...DEFAULT_SCAN_LIMITS, maxTotalBytes: 3 }))).toBe('ERR_OFFER_TOO_LARGE');
    expect(await codeOf(scanSources([path.join(root, 'nope')]))).toBe('ERR_BAD_SOURCE');
    expect(await codeOf(scanSources(['/dev/null']))).toBe('ERR_BAD_SOURCE');
    expect(await codeOf(scanSources([]))).toBe('ERR_BAD_SOURCE');
  });

  it('reports an unreadable folder instead of failing', async (ctx) => {
    if (process.getuid?.() === 0) ctx.skip(); // root reads everything
    const root = tempDir();
    writeFile(path.join(root, 'd/locked/x'), 'x');
    chmodSync(path.join(root, 'd/locked'), 0o000);
    const s = await scanSources([path.join(root, 'd')]);
    expect(s.skipped.map((x) => x.reason)).toEqual(['unreadable']);
    chmodSync(path.join(root, 'd/locked'), 0o755);
  });
});
