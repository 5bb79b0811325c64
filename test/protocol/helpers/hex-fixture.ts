/**
 * Golden hex fixtures: read them, or (only with UPDATE_FIXTURES=1) write them.
 *
 * Format: `#` comment lines, then hex digits; whitespace is ignored. Writing
 * puts the 5-byte frame header on its own line and the payload 32 bytes a line.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../fixtures');
export const UPDATE_FIXTURES = process.env.UPDATE_FIXTURES === '1';

export function parseHex(text: string): Buffer {
  const digits = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('')
    .replace(/\s+/g, '');
  if (!/^(?:[0-9a-f]{2})*$/i.test(digits)) throw new Error('fixture is not an even run of hex digits');
  return Buffer.from(digits, 'hex');
}

export function formatHex(bytes: Buffer, comment: string, headerBytes = 5): string {
  const lines = comment.split('\n').map((l) => `# ${l}`);
  lines.push(bytes.subarray(0, headerBytes).toString('hex'));
  for (let i = headerBytes; i < bytes.length; i += 32) lines.push(bytes.subarray(i, i + 32).toString('hex'));
  return `${lines.join('\n')}\n`;
}

/**
 * The bytes of fixture `relPath`. With UPDATE_FIXTURES=1, first (re)write it
 * from `expected`; otherwise a missing file fails with instructions.
 */
export function goldenBytes(relPath: string, expected: Buffer, comment: string): Buffer {
  const file = join(FIXTURE_DIR, relPath);
  if (UPDATE_FIXTURES) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, formatHex(expected, comment));
  }
  if (!existsSync(file)) throw new Error(`missing fixture ${relPath}: run UPDATE_FIXTURES=1 npx vitest run test/protocol`);
  return parseHex(readFileSync(file, 'utf8'));
}
