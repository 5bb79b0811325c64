/**
 * The TLS policy as an outside tool sees it: `openssl s_client` against our
 * listener (reliability.md §4). Skipped, with a message, when openssl is missing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testIdentity } from '../../helpers/certs.js';
import { writeCertFiles, type CertFiles } from '../../helpers/certs.js';
import { startListener, until, type ListenerHarness } from './harness.js';

const OPENSSL = process.env.OPENSSL ?? 'openssl';
const haveOpenssl = spawnSync(OPENSSL, ['version'], { encoding: 'utf8' }).status === 0;
if (!haveOpenssl) {
  console.warn(`openssl-matrix: SKIPPED, "${OPENSSL}" not found (install openssl or set OPENSSL=/path/to/openssl)`);
}

const WELCOME = 'PEERDECK-WELCOME';

interface SClientResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** Run s_client with stdin held open; it ends when the server closes (or after `ms`). */
function sClient(port: number, args: string[], ms = 3000): Promise<SClientResult> {
  return new Promise((resolve) => {
    const child = spawn(OPENSSL, ['s_client', '-connect', `127.0.0.1:${port}`, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('latin1')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('latin1')));
    const kill = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('close', () => {
      clearTimeout(kill);
      resolve({ stdout, stderr });
    });
  });
}

describe.skipIf(!haveOpenssl)('openssl s_client against the listener', () => {
  const bob = testIdentity('bob');
  const mallory = testIdentity('mallory');
  let bobFiles: CertFiles;
  let malloryFiles: CertFiles;
  let h: ListenerHarness;

  beforeAll(() => {
    bobFiles = writeCertFiles(bob);
    malloryFiles = writeCertFiles(mallory, bobFiles.dir);
  });
  afterAll(() => rmSync(bobFiles.dir, { recursive: true, force: true }));
  afterEach(async () => h.close());

  async function listen(): Promise<void> {
    h = await startListener({ authorize: (r) => (r.deviceId === bob.deviceId ? 'accept' : 'reject') });
    h.listener.on('connection', (s) => {
      s.write(Buffer.from(`${WELCOME}\n`));
      s.on('data', () => {});
      setTimeout(() => s.close(), 300);
    });
  }
  const asBob = () => ['-cert', bobFiles.certPath, '-key', bobFiles.keyPath];

  it('TLS 1.2 with a client certificate: refused (alert 70, protocol version)', async () => {
    await listen();
    const r = await sClient(h.port, ['-tls1_2', ...asBob()]);
    expect(r.stderr + r.stdout).toMatch(/alert protocol version|alert number 70/);
    expect(r.stdout).not.toContain(WELCOME);
    expect(h.connections).toHaveLength(0);
  });

  it('TLS 1.3 with only CHACHA20-POLY1305: refused (alert 40, handshake failure)', async () => {
    await listen();
    const r = await sClient(h.port, ['-tls1_3', '-ciphersuites', 'TLS_CHACHA20_POLY1305_SHA256', ...asBob()]);
    expect(r.stderr + r.stdout).toMatch(/alert handshake failure|alert number 40/);
    expect(r.stdout).not.toContain(WELCOME);
  });

  it('TLS 1.3 with only AES-128-CCM: refused (alert 40)', async () => {
    await listen();
    const r = await sClient(h.port, ['-tls1_3', '-ciphersuites', 'TLS_AES_128_CCM_SHA256', ...asBob()]);
    expect(r.stderr + r.stdout).toMatch(/alert handshake failure|alert number 40/);
    expect(h.connections).toHaveLength(0);
  });

  it('TLS_AES_128_GCM_SHA256 + authorized cert + ALPN peerdeck/1: accepted', async () => {
    await listen();
    const r = await sClient(h.port, [
      '-tls1_3',
      '-ciphersuites',
      'TLS_AES_128_GCM_SHA256',
      '-alpn',
      'peerdeck/1',
      ...asBob(),
    ]);
    expect(r.stdout).toContain('New, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256');
    expect(r.stdout).toContain('ALPN protocol: peerdeck/1');
    expect(r.stdout).toContain(WELCOME);
    expect(h.connections.map((c) => c.deviceId)).toEqual([bob.deviceId]);
  });

  it('TLS_AES_256_GCM_SHA384 is accepted too', async () => {
    await listen();
    const r = await sClient(h.port, ['-tls1_3', '-ciphersuites', 'TLS_AES_256_GCM_SHA384', '-alpn', 'peerdeck/1', ...asBob()]);
    expect(r.stdout).toContain('Cipher is TLS_AES_256_GCM_SHA384');
    expect(r.stdout).toContain(WELCOME);
  });

  it('no client certificate: handshake completes, then 0 application bytes and a close', async () => {
    await listen();
    const r = await sClient(h.port, ['-quiet', '-alpn', 'peerdeck/1']);
    expect(r.stdout).toBe(''); // -quiet: stdout carries application data only
    await until(() => h.rejected.length === 1);
    expect(h.rejected[0]!.reason).toBe('no-certificate');
  });

  it('a certificate authorize rejects: 0 application bytes', async () => {
    await listen();
    const r = await sClient(h.port, [
      '-quiet',
      '-alpn',
      'peerdeck/1',
      '-cert',
      malloryFiles.certPath,
      '-key',
      malloryFiles.keyPath,
    ]);
    expect(r.stdout).toBe('');
    await until(() => h.rejected.length === 1);
    expect(h.rejected[0]).toMatchObject({ reason: 'unauthorized', deviceId: mallory.deviceId });
  });

  it('a saved session is never resumed (sess_out / sess_in → "New", not "Reused")', async () => {
    await listen();
    const sess = join(bobFiles.dir, 'session.pem');
    const first = await sClient(h.port, ['-alpn', 'peerdeck/1', '-sess_out', sess, ...asBob()]);
    expect(first.stdout).toContain(WELCOME);
    const second = await sClient(h.port, ['-alpn', 'peerdeck/1', '-sess_in', sess, ...asBob()]);
    expect(second.stdout).toContain('New, TLSv1.3');
    expect(second.stdout).not.toContain('Reused,');
    expect(h.connections.map((c) => c.deviceId)).toEqual([bob.deviceId, bob.deviceId]);
  });

  it('exported keying material matches PeerSocket.exportKeyingMaterial', async () => {
    await listen();
    let serverKm = '';
    h.listener.on('connection', (s) => (serverKm = s.exportKeyingMaterial(32, 'EXPORTER-peerdeck-test').toString('hex')));
    const r = await sClient(h.port, [
      '-alpn',
      'peerdeck-pair/1',
      '-keymatexport',
      'EXPORTER-peerdeck-test',
      '-keymatexportlen',
      '32',
      ...asBob(),
    ]);
    const m = /Keying material:\s*([0-9A-Fa-f]+)/.exec(r.stdout);
    expect(m?.[1]?.toLowerCase()).toBe(serverKm);
    expect(serverKm).toHaveLength(64);
  });
});
