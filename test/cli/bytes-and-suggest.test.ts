import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../src/cli/bytes.js';
import { closest, editDistance } from '../../src/cli/suggest.js';
import { parseProcStatGroups } from '../../src/cli/foreground.js';

describe('formatBytes', () => {
  it('uses IEC units throughout', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1.0 KiB');
    expect(formatBytes(300_000)).toBe('293 KiB');
    expect(formatBytes(5 * 1024 ** 2)).toBe('5.0 MiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GiB');
  });
});

describe('closest', () => {
  it('finds typos, swaps and prefixes, and nothing for far-off words', () => {
    expect(editDistance('sned', 'send')).toBe(1);
    expect(closest('prot', ['port', 'peer', 'json'])).toBe('port');
    expect(closest('jsn', ['port', 'json'])).toBe('json');
    expect(closest('conf', ['config-dir', 'name'])).toBe('config-dir');
    expect(closest('zzzzzz', ['port', 'json'])).toBeUndefined();
  });
});

describe('parseProcStatGroups', () => {
  it('reads pgrp and tpgid, even when the command name holds spaces and parentheses', () => {
    expect(parseProcStatGroups('1234 (node) S 1 1234 1234 34816 1234 4194304 0')).toEqual({ pgrp: 1234, tpgid: 1234 });
    expect(parseProcStatGroups('77 (a b) c)) T 1 70 70 34816 99 0')).toEqual({ pgrp: 70, tpgid: 99 });
    expect(parseProcStatGroups('77 (x) S 1 70 70 0 -1 0')).toEqual({ pgrp: 70, tpgid: -1 });
    expect(parseProcStatGroups('garbage')).toBeUndefined();
  });
});

describe('userWorkingDir', () => {
  it('moves to INIT_CWD only when npm runs us in our own package folder', async () => {
    const { userWorkingDir } = await import('../../src/cli/user-cwd.js');
    const { tmpdir } = await import('node:os');
    const pkg = process.cwd();
    const user = tmpdir();
    expect(userWorkingDir(pkg, { INIT_CWD: user, npm_lifecycle_event: 'start' }, pkg)).toBe(user);
    // A peerdeck started from inside some other npm script, elsewhere: INIT_CWD is not about us.
    expect(userWorkingDir(pkg, { INIT_CWD: pkg, npm_lifecycle_event: 'test' }, user)).toBe(user);
    expect(userWorkingDir(pkg, { INIT_CWD: user }, pkg)).toBe(pkg);
    expect(userWorkingDir(pkg, { INIT_CWD: '/no/such/dir', npm_lifecycle_event: 'start' }, pkg)).toBe(pkg);
  });
});
