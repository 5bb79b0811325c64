/**
 * The import graph of src/, read from the source text: no circles, store and
 * common below core, services reaching each other only through the composer.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Relative imports (static `import`/`export ... from`, type-only included) → repo-relative paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s+'(\.[^']+)'|^\s*import\s+'(\.[^']+)'/gm)) {
    const spec = (m[1] ?? m[2])!;
    const base = path.resolve(path.dirname(file), spec).replace(/\.js$/, '');
    const hit = [`${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')].find((c) => existsSync(c));
    if (hit) out.push(path.relative(SRC, hit));
  }
  return out;
}

const graph = new Map(sourceFiles(SRC).map((f) => [path.relative(SRC, f), importsOf(f)]));

function cycles(): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string) => {
    state.set(n, 'open');
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (state.get(m) === 'open') found.push([...stack.slice(stack.indexOf(m)), m]);
      else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of graph.keys()) if (!state.has(n)) visit(n);
  return found;
}

/** Edges from files under `from` to files under any of `to`. */
function edges(from: string, to: string[]): string[] {
  const out: string[] = [];
  for (const [file, deps] of graph) {
    if (!file.startsWith(from)) continue;
    for (const d of deps) if (to.some((t) => d.startsWith(t))) out.push(`${file} -> ${d}`);
  }
  return out;
}

describe('import graph of src/', () => {
  it('reads the graph (sanity: the engine imports the connection layer)', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('core/engine/engine.ts')).toContain('core/connections/connection-layer.ts');
  });

  it('has no import circles', () => {
    expect(cycles()).toEqual([]);
  });

  it('keeps store and common below core', () => {
    expect(edges('store/', ['core/', 'ui/', 'cli/'])).toEqual([]);
    expect(edges('common/', ['core/', 'store/', 'ui/', 'cli/'])).toEqual([]);
  });

  it('lets the connection layer know no service and no engine, and services reach sessions only through it', () => {
    const services = ['core/chat/', 'core/transfer/', 'core/pairing/', 'core/outbox/'];
    expect(edges('core/connections/', [...services, 'core/engine/'])).toEqual([]);
    for (const s of services) expect(edges(s, ['core/engine/'])).toEqual([]);
    expect(edges('core/transfer/', ['core/chat/', 'core/pairing/', 'core/outbox/'])).toEqual([]);
    expect(edges('core/pairing/', ['core/chat/', 'core/transfer/', 'core/outbox/'])).toEqual([]);
    expect(edges('core/outbox/', ['core/chat/', 'core/transfer/', 'core/pairing/'])).toEqual([]);
    expect(edges('core/chat/', ['core/transfer/', 'core/pairing/'])).toEqual([]);
  });
});
