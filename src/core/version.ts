import { readFileSync } from 'node:fs';

/**
 * This build's peerdeck version, from package.json. Looked up relative to this
 * module, which sits at src/core/ (tests), dist/core/ (tsc build) or dist/ and
 * dist/chunks/ (the bundle): the first package.json named "peerdeck" wins.
 */
let cached: string | undefined;

export function peerdeckVersion(): string {
  if (cached) return cached;
  for (const rel of ['../package.json', '../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'peerdeck' && typeof pkg.version === 'string') return (cached = pkg.version);
    } catch {
      // not here; look one level up
    }
  }
  return (cached = '0.0.0-unknown');
}
