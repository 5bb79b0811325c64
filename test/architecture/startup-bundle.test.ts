/**
 * What every command compiles before it does anything: dist/cli.js and the
 * chunks it imports statically (from esbuild's metafile, written by
 * scripts/bundle.mjs; run `npm run build` first). A command that hands its job
 * to the running engine (send, chat, … with a daemon up) must not load the
 * engine, the conf store (conf, ajv), node-forge, Ink or React: those come in
 * through dynamic imports only when a process starts an engine, creates an
 * identity or opens the dashboard.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const DIST = path.resolve(import.meta.dirname, '../../dist');
const META = path.join(DIST, 'bundle-meta.json');

interface Output { entryPoint?: string; bytes: number; imports: { path: string; kind: string; external?: boolean }[]; inputs: Record<string, { bytesInOutput: number }> }

function loadMeta(): Record<string, Output> {
  if (!existsSync(META)) throw new Error(`${META} is missing: run npm run build`);
  return (JSON.parse(readFileSync(META, 'utf8')) as { outputs: Record<string, Output> }).outputs;
}

/** The CLI entry's output and every chunk reachable from it by static imports. */
function startupClosure(outputs: Record<string, Output>): string[] {
  const entry = Object.keys(outputs).find((k) => outputs[k]!.entryPoint === 'src/cli.tsx');
  if (!entry) throw new Error('no output for src/cli.tsx in the metafile');
  const seen = new Set<string>([entry]);
  const todo = [entry];
  while (todo.length) {
    const o = outputs[todo.pop()!]!;
    for (const i of o.imports) {
      if (i.external || i.kind !== 'import-statement' || seen.has(i.path)) continue;
      seen.add(i.path);
      todo.push(i.path);
    }
  }
  return [...seen];
}

describe('start-up bundle', () => {
  const outputs = loadMeta();
  const closure = startupClosure(outputs);
  const inputs = closure.flatMap((o) => Object.keys(outputs[o]!.inputs));

  it.each([
    ['the engine', /^src\/core\/engine\/engine\.ts$/],
    ['the transfer service', /^src\/core\/transfer\/(transfer-manager|incoming|outgoing|bulk-[a-z]+)\.ts$/],
    ['the connection layer', /^src\/core\/connections\//],
    ['the conf store', /^src\/store\/conf-store\.ts$/],
    ['conf', /node_modules\/conf\//],
    ['ajv', /node_modules\/ajv\//],
    ['node-forge', /node_modules\/node-forge\//],
    ['Ink', /node_modules\/ink\//],
    ['React', /node_modules\/react\//],
    ["zod's locales", /node_modules\/zod\/v4\/locales\/(?!en\.js)/],
  ])('does not load %s at start', (_what, re) => {
    expect(inputs.filter((i) => re.test(i))).toEqual([]);
  });

  it('stays small (what every command parses before running)', () => {
    const bytes = closure.reduce((n, o) => n + outputs[o]!.bytes, 0);
    // 1.89 MB before the engine, conf and zod's unused parts were split off; ~0.6 MB after.
    expect(bytes).toBeLessThan(800_000);
  });
});
