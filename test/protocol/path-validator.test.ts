import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BadPathError,
  MAX_PATH_BYTES,
  PARTIAL_DIR_NAME,
  validatePathSet,
  validateRelativePath,
  type PathRejectReason,
} from '../../src/protocol/path-validator.js';
import { FIXTURE_DIR } from './helpers/hex-fixture.js';

const corpus = <T>(file: string): T[] => JSON.parse(readFileSync(path.join(FIXTURE_DIR, 'hostile-names', file), 'utf8')) as T[];
const REJECTED = corpus<{ name: string; reason: PathRejectReason }>('rejected.json');
const ACCEPTED = corpus<{ name: string; nfc: string }>('accepted.json');
const REJECTED_SETS = corpus<{ files: string[]; dirs: string[]; reason: PathRejectReason }>('rejected-sets.json');

function rejection(fn: () => unknown): { code: string; reason: PathRejectReason } | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof BadPathError) return { code: err.code, reason: err.reason };
    throw err;
  }
  return undefined;
}

describe('validateRelativePath: hostile corpus (fixtures/hostile-names)', () => {
  it('has a corpus covering every single-path reason', () => {
    expect(REJECTED.length).toBeGreaterThan(60);
    expect(PARTIAL_DIR_NAME).toBe('.peerdeck-partial');
  });

  it.each(REJECTED.map((e) => [JSON.stringify(e.name).slice(0, 60), e] as const))('rejects %s', (_label, { name, reason }) => {
    expect(rejection(() => validateRelativePath(name))).toEqual({ code: 'ERR_BAD_PATH', reason });
  });

  it('rejects a 10⁵-character name cheaply', () => {
    expect(rejection(() => validateRelativePath('y'.repeat(100_000)))?.reason).toBe('too-long');
    expect(rejection(() => validateRelativePath('\u00e9'.repeat(MAX_PATH_BYTES / 2 + 1)))?.reason).toBe('too-long');
  });

  it.each(ACCEPTED.map((e) => [JSON.stringify(e.name).slice(0, 60), e] as const))('accepts %s and returns NFC', (_label, { name, nfc }) => {
    expect(validateRelativePath(name)).toBe(nfc);
  });

  it('puts a terminal-inert copy of the name in the message, and the raw one in `path`', () => {
    const name = '\u001b]0;pwned\u0007';
    try {
      validateRelativePath(name);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(BadPathError);
      expect((err as BadPathError).path).toBe(name);
      expect((err as BadPathError).message).not.toMatch(/[\x00-\x1f]/);
    }
  });
});

describe('validatePathSet', () => {
  it.each(REJECTED_SETS)('rejects %j', ({ files, dirs, reason }) => {
    expect(rejection(() => validatePathSet(files, dirs))).toEqual({ code: 'ERR_BAD_PATH', reason });
  });

  it('rejects a set containing one bad path with that path’s reason', () => {
    expect(rejection(() => validatePathSet(['ok.txt', '../x'], []))?.reason).toBe('dot-segment');
  });

  it('accepts a normal tree and returns NFC paths', () => {
    const result = validatePathSet(['docs/cafe\u0301.txt', 'docs/sub/a.bin', 'top.txt'], ['docs', 'docs/sub', 'empty']);
    expect(result).toEqual({
      files: ['docs/caf\u00e9.txt', 'docs/sub/a.bin', 'top.txt'],
      dirs: ['docs', 'docs/sub', 'empty'],
      caseCollisions: [],
    });
  });

  it('reports case-only collisions (incl. file vs folder), and rejects them when asked', () => {
    const result = validatePathSet(['README', 'readme', 'Docs/x', 'docs'], []);
    expect(result.caseCollisions).toEqual([
      ['README', 'readme'],
      ['docs', 'Docs'],
    ]);
    expect(rejection(() => validatePathSet(['README', 'readme'], [], { rejectCaseCollisions: true }))).toEqual({
      code: 'ERR_BAD_PATH',
      reason: 'case-collision',
    });
    expect(validatePathSet(['Stra\u00dfe', 'STRASSE'], []).caseCollisions).toHaveLength(1);
  });
});

describe('validateRelativePath: generated hostile names never escape the target', () => {
  const token = fc.oneof(
    fc.constantFrom(
      '..', '.', '/', '//', '\\', 'C:', 'c:', ':', '\u0000', '\u001b', '\n', '\r', '\u007f', '\u009b', '~', ' ', '...',
      'a', 'b', 'dir', 'file.txt', 'é', 'e\u0301', '\u212b', '\u202e', '\u200b', '\uff0f', '\uff3c', '\uff0e', '\u2215',
      'CON', 'nul', 'COM1', '.peerdeck-partial', '%2e%2e', '\u00e9t\u00e9', '\u4e16\u754c', '\ud83d\udc4b', '\ud800',
    ),
    fc.string({ unit: 'binary', maxLength: 4 }),
    fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 3 }),
  );
  const hostileName = fc.array(token, { minLength: 1, maxLength: 12 }).map((parts) => parts.join(''));

  it('for 10⁴ names: every accepted one resolves strictly inside the target, on POSIX and on Windows', () => {
    const posixTarget = '/srv/downloads';
    const winTarget = 'C:\\Users\\me\\Downloads';
    let accepted = 0;
    fc.assert(
      fc.property(hostileName, (name) => {
        let clean: string;
        try {
          clean = validateRelativePath(name);
        } catch (err) {
          expect(err).toBeInstanceOf(BadPathError);
          return;
        }
        accepted += 1;
        const p = path.posix.resolve(posixTarget, clean);
        expect(p.startsWith(`${posixTarget}/`)).toBe(true);
        expect(path.posix.relative(posixTarget, p).split('/')).not.toContain('..');
        const w = path.win32.resolve(winTarget, clean);
        expect(w.startsWith(`${winTarget}\\`)).toBe(true);
        expect(path.win32.relative(winTarget, w).split('\\')).not.toContain('..');
        expect(clean).toBe(clean.normalize('NFC'));
        expect(clean.split('/').some((c) => c.toLowerCase().startsWith(PARTIAL_DIR_NAME))).toBe(false);
      }),
      { numRuns: 10_000 },
    );
    expect(accepted).toBeGreaterThan(500); // the property is not vacuous
  });
});
