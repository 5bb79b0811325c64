/** Receiver file-system rules: ` (n)` names, no following links, private partial folders. */
import { chmodSync, lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { assertRealDirChain, ensureDirChain, ensurePrivateDir, linkFresh, mkdirFresh, spaceReserve, suffixedName } from '../../../src/core/transfer/landing.js';
import { validateRelativePath } from '../../../src/protocol/path-validator.js';
import { cleanupTempDirs, tempDir } from './helpers/files.js';
import { rejectedCode } from '../../helpers/error-code.js';

afterEach(cleanupTempDirs);

const codeOf = rejectedCode;

describe('suffixedName', () => {
  it('numbers before the extension, keeping double extensions and dotfiles whole', () => {
    expect(suffixedName('a.txt', 0)).toBe('a.txt');
    expect(suffixedName('a.txt', 1)).toBe('a (1).txt');
    expect(suffixedName('archive.tar.gz', 2)).toBe('archive (2).tar.gz');
    expect(suffixedName('.bashrc', 1)).toBe('.bashrc (1)');
    expect(suffixedName('noext', 12)).toBe('noext (12)');
    expect(suffixedName('a.b.c', 1)).toBe('a.b (1).c');
    expect(suffixedName('photos', 3)).toBe('photos (3)');
  });

  it('stays a valid name of at most 255 bytes, cutting the stem on a character boundary', () => {
    const long = `${'界'.repeat(84)}.txt`; // 252 + 4 bytes > 255 with a suffix
    const out = suffixedName(long, 7);
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(255);
    expect(out.endsWith(' (7).txt')).toBe(true);
    expect(out).not.toContain('\ufffd');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 120 }), fc.integer({ min: 1, max: 9999 }), (name, n) => {
        let valid: string;
        try {
          valid = validateRelativePath(name.replace(/\//g, '_'));
        } catch {
          return;
        }
        if (valid.includes('/')) return;
        const s = suffixedName(valid, n);
        expect(Buffer.byteLength(s)).toBeLessThanOrEqual(255);
        expect(() => validateRelativePath(s)).not.toThrow();
      }),
    );
  });
});

describe('publishing without overwriting or following links', () => {
  it('links next to an existing file, a dangling link and a link to outside', async () => {
    const root = tempDir();
    const dl = path.join(root, 'dl');
    mkdirSync(dl);
    writeFileSync(path.join(root, 'src'), 'new');
    writeFileSync(path.join(dl, 'a.txt'), 'old');
    symlinkSync(path.join(root, 'nowhere'), path.join(dl, 'a (1).txt'));
    symlinkSync(path.join(root, 'outside.txt'), path.join(dl, 'a (2).txt'));
    expect(await linkFresh(path.join(root, 'src'), dl, 'a.txt')).toBe('a (3).txt');
    expect(readFileSync(path.join(dl, 'a.txt'), 'utf8')).toBe('old');
    expect(readlinkSync(path.join(dl, 'a (1).txt'))).toBe(path.join(root, 'nowhere'));
    expect(() => lstatSync(path.join(root, 'nowhere'))).toThrow();
    expect(readFileSync(path.join(dl, 'a (3).txt'), 'utf8')).toBe('new');
  });

  it('makes a fresh top-level folder when the name is taken by anything', async () => {
    const dl = tempDir();
    mkdirSync(path.join(dl, 'photos'));
    symlinkSync('/etc', path.join(dl, 'photos (1)'));
    writeFileSync(path.join(dl, 'photos (2)'), 'x');
    expect(await mkdirFresh(dl, 'photos')).toBe('photos (3)');
  });

  it('creates folders one component at a time and refuses a link anywhere on the way', async () => {
    const dl = tempDir();
    await ensureDirChain(dl, 'a/b/c');
    expect(lstatSync(path.join(dl, 'a/b/c')).isDirectory()).toBe(true);
    symlinkSync(tempDir(), path.join(dl, 'a/b/link'));
    expect(await codeOf(ensureDirChain(dl, 'a/b/link/d'))).toBe('ERR_UNSAFE_PATH');
    expect(await codeOf(assertRealDirChain(dl, 'a/b/link'))).toBe('ERR_UNSAFE_PATH');
    writeFileSync(path.join(dl, 'a/file'), '');
    expect(await codeOf(ensureDirChain(dl, 'a/file/x'))).toBe('ERR_UNSAFE_PATH');
    await assertRealDirChain(dl, 'a/b/c');
  });

  it('keeps the partial folder private: refuses a link, a file, or a folder open to others', async () => {
    const dl = tempDir();
    const dir = await ensurePrivateDir(dl, '.peerdeck-partial');
    expect(lstatSync(dir).mode & 0o777).toBe(0o700);
    expect(await ensurePrivateDir(dl, '.peerdeck-partial')).toBe(dir);
    const other = tempDir();
    symlinkSync(tempDir(), path.join(other, '.peerdeck-partial'));
    expect(await codeOf(ensurePrivateDir(other, '.peerdeck-partial'))).toBe('ERR_UNSAFE_PATH');
    const third = tempDir();
    mkdirSync(path.join(third, '.peerdeck-partial'));
    chmodSync(path.join(third, '.peerdeck-partial'), 0o777);
    expect(await codeOf(ensurePrivateDir(third, '.peerdeck-partial'))).toBe('ERR_UNSAFE_PATH');
  });

  it('keeps back max(1 %, 64 MiB)', () => {
    expect(spaceReserve(1e9)).toBe(64 * 1024 * 1024);
    expect(spaceReserve(1e12)).toBe(1e10);
  });
});
