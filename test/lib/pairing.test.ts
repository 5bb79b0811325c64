/**
 * Pairing through the public entry: peer.pair() runs the same 6-digit
 * commit-reveal pairing as `peerdeck pair`; the other side gets a
 * 'pairing-request' carrying the same code and accepts or rejects it. Accepted
 * on both sides, each pins the other (trust.list) and an application
 * connection opens; rejected, pair() fails with a typed error and nothing is pinned.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPeer, type PairingRequest, type Peer } from 'peerdeck';

const root = mkdtempSync(path.join(tmpdir(), 'peerdeck-lib-pair-'));
let a: Peer;
let b: Peer;
let c: Peer;

beforeAll(async () => {
  a = await createPeer({ configDir: path.join(root, 'a'), name: 'pair-alice', port: 0, discovery: false });
  b = await createPeer({ configDir: path.join(root, 'b'), name: 'pair-bob', port: 0, discovery: false });
  c = await createPeer({ configDir: path.join(root, 'c'), name: 'pair-carol', port: 0, discovery: false });
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close(), c?.close()]);
  rmSync(root, { recursive: true, force: true });
});

it('pair(): both sides see one code, confirm it, and are pinned', { timeout: 30_000 }, async () => {
  const request = new Promise<PairingRequest>((resolve) => b.once('pairing-request', resolve));
  let bAccepted: Promise<boolean> | undefined;
  const shown: string[] = [];
  const paired = await a.pair(`127.0.0.1:${b.port}`, {
    confirm: async (code) => {
      shown.push(code);
      const req = await request;
      expect(req).toMatchObject({ deviceId: a.deviceId, name: 'pair-alice', code });
      bAccepted = req.accept();
      return true;
    },
    timeoutMs: 20_000,
  });
  expect(shown[0]).toMatch(/^\d{6}$/);
  expect(paired).toEqual({ deviceId: b.deviceId, name: 'pair-bob' });
  expect(await bAccepted).toBe(true);
  expect(a.trust.list().map((p) => p.deviceId)).toEqual([b.deviceId]);
  expect(b.trust.list().map((p) => p.deviceId)).toEqual([a.deviceId]);

  b.once('connection-request', (req) => void req.accept().close());
  const conn = await a.connect('pair-bob', { type: 'json', timeoutMs: 10_000 });
  expect(await conn.read()).toEqual({ done: true, value: undefined });
});

it('pair(): the other side rejects, pair() fails with a typed error and nothing is pinned', { timeout: 30_000 }, async () => {
  c.once('pairing-request', (req) => void req.reject());
  const err = await a.pair(`127.0.0.1:${c.port}`, { confirm: () => true, timeoutMs: 20_000 }).catch((e: unknown) => e);
  expect(err).toMatchObject({ code: 'ERR_PAIRING_REJECTED' });
  expect(a.trust.list().map((p) => p.deviceId)).not.toContain(c.deviceId);
  expect(c.trust.list()).toEqual([]);
});

it('pair(): an AbortSignal cancels the wait with ERR_ABORTED, and nothing is pinned', { timeout: 30_000 }, async () => {
  const ac = new AbortController();
  const seen = new Promise<PairingRequest>((resolve) => c.once('pairing-request', resolve)); // c never answers
  const pending = a.pair(`127.0.0.1:${c.port}`, { confirm: () => true, signal: ac.signal, timeoutMs: 20_000 });
  await seen;
  const t0 = Date.now();
  ac.abort();
  await expect(pending).rejects.toMatchObject({ code: 'ERR_ABORTED' });
  expect(Date.now() - t0).toBeLessThan(1_000);
  expect(a.trust.list().map((p) => p.deviceId)).not.toContain(c.deviceId);
  expect(c.trust.list()).toEqual([]);
});
