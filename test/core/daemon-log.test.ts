import { appendFileSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LogCap, rotateIfFull } from '../../src/core/daemon/daemon-log.js';

const dir = mkdtempSync(path.join(tmpdir(), 'peerdeck-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('daemon log cap', () => {
  it('keeps the log under about twice the cap, the older half in .1, while an appending fd writes on', () => {
    const file = path.join(dir, 'daemon.log');
    const fd = openSync(file, 'a');
    const cap = new LogCap(file, 4096);
    for (let i = 0; i < 1000; i++) {
      const line = `line ${String(i).padStart(4, '0')} ${'x'.repeat(40)}\n`;
      writeSync(fd, line);
      cap.wrote(Buffer.byteLength(line));
    }
    closeSync(fd);
    expect(statSync(file).size).toBeLessThan(4096 + 4096 / 16 + 100);
    expect(statSync(`${file}.1`).size).toBeGreaterThanOrEqual(4096);
    const text = readFileSync(file, 'utf8');
    // appending after the truncation starts at offset 0: no hole of NUL bytes
    expect(text).not.toContain('\0');
    expect(text.trimEnd().split('\n').at(-1)).toMatch(/^line 0999 /);
  });

  it('leaves a small log alone', () => {
    const file = path.join(dir, 'small.log');
    appendFileSync(file, 'hello\n');
    expect(rotateIfFull(file, 4096)).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('hello\n');
  });
});
