/**
 * Runs each program in examples/ for real: two identities in temp config dirs,
 * pinned to each other first (through the public entry, as test/lib/library.test.ts
 * does), then the server example and the client example as separate node
 * processes importing 'peerdeck' (the built dist/: `npm run build` first).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPeer } from 'peerdeck';

const EXAMPLES = path.resolve(import.meta.dirname, '../../examples');
let root: string;
let serverDir: string;
let clientDir: string;
let downloads: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'peerdeck-examples-'));
  serverDir = path.join(root, 'server');
  clientDir = path.join(root, 'client');
  downloads = path.join(root, 'downloads');
  const s = await createPeer({ configDir: serverDir, port: 0, discovery: false });
  const c = await createPeer({ configDir: clientDir, port: 0, discovery: false });
  await s.trust.add(c.deviceId, { name: 'client', autoAccept: true });
  await c.trust.add(s.deviceId, { name: 'server' });
  await Promise.all([s.close(), c.close()]);
});

afterEach(async () => {
  await Promise.all([...children].map(stop));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function env(configDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, PEERDECK_CONFIG_DIR: configDir, PEERDECK_DOWNLOADS: downloads, ...extra };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Start a server example; resolves with its port once it printed "listening on <port>", and a getter for its output so far. */
async function server(file: string): Promise<{ port: number; output: () => string; child: ChildProcess }> {
  const child = spawn(process.execPath, [path.join(EXAMPLES, file)], { env: env(serverDir), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const check = () => {
      const m = /listening on (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`${file} exited (${code}) before listening:\n${out}`)));
  });
  return { port, output: () => out, child };
}

/** Run a client example to completion. */
function client(file: string, port: number, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [path.join(EXAMPLES, file), ...args], { env: env(clientDir, { PEERDECK_PEERS: `127.0.0.1:${port}` }), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      children.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('examples/', () => {
  it('echo server and client', async () => {
    const s = await server('echo-server.mjs');
    const c = await client('echo-client.mjs', s.port, ['server', 'hello', 'wörld']);
    expect(c.stderr).toBe('');
    expect(c.code).toBe(0);
    expect(c.stdout).toBe('echo: hello\necho: wörld\n');
  });

  it('JSON request/response', async () => {
    const s = await server('json-server.mjs');
    const c = await client('json-client.mjs', s.port, ['server']);
    expect(c.stderr).toBe('');
    expect(c.code).toBe(0);
    expect(c.stdout).toBe('add(2, 3) = 5\nupper("peer") = PEER\nnope() failed: no method nope\n');
  });

  it('fixed-size telemetry stream', async () => {
    const s = await server('telemetry-monitor.mjs');
    const c = await client('telemetry-sensor.mjs', s.port, ['server', '5']);
    expect(c.stderr).toBe('');
    expect(c.code).toBe(0);
    expect(c.stdout).toBe('sent 5 records\n');
    await until(() => s.output().includes('stream ended'));
    const lines = s.output().split('\n').filter((l) => l.startsWith('seq='));
    expect(lines).toEqual([0, 1, 2, 3, 4].map((i) => `seq=${i} sensor=7 value=${(20 + i / 4).toFixed(2)}`));
    expect(s.output()).toContain('stream ended after 5 records');
  });

  it('a file pushed through sendFiles', async () => {
    const file = path.join(root, 'report.txt');
    writeFileSync(file, 'quarterly numbers\n'.repeat(1000));
    const s = await server('echo-server.mjs'); // any running peer receives files
    const c = await client('send-file.mjs', s.port, ['server', file]);
    expect(c.stderr).toBe('');
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/^transfer [0-9a-f]+: delivered\n$/);
    expect(readFileSync(path.join(downloads, 'report.txt'), 'utf8')).toBe('quarterly numbers\n'.repeat(1000));
  });
});
