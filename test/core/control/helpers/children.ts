import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * Child processes run the real modules: there is no build step and no TS
 * loader in the repo, so we transpile src/core/control (and the relative
 * imports it pulls in) with the TypeScript API into a temp dir whose
 * node_modules links back to the repo's. Type checking is tsc's job, not this.
 */

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../../..');
export const childScript = join(here, '../fixtures/child.mjs');

export function buildControlModules(): { dist: string; cleanup(): void } {
  const dist = mkdtempSync(join(tmpdir(), 'pd-ctl-dist-'));
  writeFileSync(join(dist, 'package.json'), '{"type":"module"}\n');
  symlinkSync(join(repo, 'node_modules'), join(dist, 'node_modules'), 'dir');
  const queue = [join(repo, 'src/core/control/index.ts')];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    const out = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
      fileName: file,
    }).outputText;
    const target = join(dist, relative(repo, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, out);
    for (const m of source.matchAll(/from\s+'(\.{1,2}\/[^']+)\.js'/g)) queue.push(resolve(dirname(file), `${m[1]}.ts`));
  }
  return { dist, cleanup: () => rmSync(dist, { recursive: true, force: true }) };
}

export interface Child {
  readonly proc: ChildProcessWithoutNullStreams;
  /** Resolves with the next JSON line the child prints. */
  next(): Promise<Record<string, unknown>>;
  send(line: string): void;
  exited: Promise<number | null>;
}

export function spawnChild(dist: string, args: string[]): Child {
  const proc = spawn(process.execPath, [childScript, dist, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  const waiters: ((v: Record<string, unknown>) => void)[] = [];
  let buf = '';
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  proc.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>;
      buf = buf.slice(nl + 1);
      const w = waiters.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  const exited = new Promise<number | null>((res) => proc.once('exit', (code) => res(code)));
  return {
    proc,
    exited,
    next: () =>
      new Promise((res, rej) => {
        const l = lines.shift();
        if (l) return res(l);
        waiters.push(res);
        void exited.then((code) => rej(new Error(`child exited (${code}) before printing: ${stderr}`)));
      }),
    send: (line) => proc.stdin.write(`${line}\n`),
  };
}

/** A pid that certainly belonged to a process that has exited. */
export async function deadPid(): Promise<number> {
  const p = spawn(process.execPath, ['-e', '']);
  const pid = p.pid!;
  await new Promise((res) => p.once('exit', res));
  return pid;
}
