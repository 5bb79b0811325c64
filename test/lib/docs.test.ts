/**
 * docs/library.md is the library's reference: every name src/index.ts exports
 * (values and types) appears in it, and the README's Library section links it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const read = (f: string) => readFileSync(path.join(ROOT, f), 'utf8');

/** Exported names of the entry: `export { a, b as c }` and `export type { … }` lists. */
function exportedNames(source: string): string[] {
  const names: string[] = [];
  for (const m of source.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
    for (const part of m[1]!.split(',')) {
      const name = part.trim().split(/\s+as\s+/).pop()?.trim();
      if (name) names.push(name);
    }
  }
  return names;
}

it('docs/library.md names every export of the entry, and the README links it', () => {
  const names = exportedNames(read('src/index.ts'));
  expect(names.length).toBeGreaterThan(20);
  const doc = read('docs/library.md');
  const missing = names.filter((n) => !new RegExp(`\\b${n}\\b`).test(doc));
  expect(missing).toEqual([]);
  expect(read('README.md')).toContain('(docs/library.md)');
});
