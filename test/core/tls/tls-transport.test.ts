/** Listener + dialer over real sockets on 127.0.0.1: identities, pinning, refusals. */
import { createServer as createTlsServer } from 'node:tls';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../../src/core/clock.js';
import { isEngineError } from '../../../src/core/errors.js';
import { dialTls } from '../../../src/core/tls/tls-dialer.js';
import type { AuthorizeRequest } from '../../../src/core/tls/tls-listener.js';
import { ALPN_APP, ALPN_BULK, ALPN_PAIRING, ALPN_SESSION, PEERDECK_ALPNS } from '../../../src/core/tls/tls-options.js';
import { testIdentity } from '../../helpers/certs.js';
import { closeReason, collect, rawTlsClient, sleep, startListener, until, type ListenerHarness } from './harness.js';

const alice = testIdentity('alice');
const bob = testIdentity('bob');
const mallory = testIdentity('mallory');

function dialAsBob(port: number, extra: Partial<Parameters<typeof dialTls>[0]> = {}) {
  return dialTls({
    host: '127.0.0.1',
    port,
    certPem: bob.certPem,
    keyPem: bob.keyPem,
    alpn: ALPN_SESSION,
    clock: systemClock,
    ...extra,
  });
}

describe('mutual TLS listener + dialer', () => {
  let h: ListenerHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('connects two identities; each side sees the other device ID; bytes flow both ways', async () => {
    const authorize = vi.fn((_req: AuthorizeRequest) => 'accept' as const);
    h = await startListener({ authorize });
    const serverSide = h.nextConnection();
    const client = await dialAsBob(h.port, { expectedDeviceId: alice.deviceId });
    const server = await serverSide;

    expect(client.deviceId).toBe(alice.deviceId);
    expect(server.deviceId).toBe(bob.deviceId);
    expect(client.alpn).toBe(ALPN_SESSION);
    expect(server.alpn).toBe(ALPN_SESSION);
    expect(authorize).toHaveBeenCalledOnce();
    expect(authorize.mock.calls[0]![0]).toMatchObject({ deviceId: bob.deviceId, alpn: ALPN_SESSION, remoteAddress: '127.0.0.1' });

    const atServer = collect(server);
    const atClient = collect(client);
    const big = Buffer.alloc(3 * 1024 * 1024, 0xab);
    let writes = 0;
    const sendAll = async () => {
      for (let off = 0; off < big.length; off += 64 * 1024) {
        writes++;
        if (!client.write(big.subarray(off, off + 64 * 1024))) await new Promise<void>((r) => client.once('drain', () => r()));
      }
    };
    await sendAll();
    server.write(Buffer.from('pong'));
    await until(() => atServer().length === big.length && atClient().length === 4);
    expect(atServer().equals(big)).toBe(true);
    expect(atClient().toString()).toBe('pong');
    expect(writes).toBe(48);

    client.close();
    expect(await closeReason(server)).toMatchObject({ code: 'ERR_CONNECTION_CLOSED' });
    expect(await closeReason(client)).toBeUndefined();
  });

  it('hands each ALPN to authorize; the dialer gets the ALPN it asked for', async () => {
    const seen: string[] = [];
    h = await startListener({ authorize: (r) => (seen.push(r.alpn), 'accept') });
    for (const alpn of PEERDECK_ALPNS) {
      const s = await dialAsBob(h.port, { alpn });
      expect(s.alpn).toBe(alpn);
      s.close();
    }
    await until(() => seen.length === 4);
    expect(seen).toEqual([ALPN_SESSION, ALPN_PAIRING, ALPN_BULK, ALPN_APP]);
  });

  it('both ends export the same keying material (pairing code input)', async () => {
    h = await startListener();
    const serverSide = h.nextConnection();
    const client = await dialAsBob(h.port, { alpn: ALPN_PAIRING });
    const server = await serverSide;
    const a = client.exportKeyingMaterial(32, 'EXPORTER-peerdeck-pairing');
    const b = server.exportKeyingMaterial(32, 'EXPORTER-peerdeck-pairing');
    expect(a.length).toBe(32);
    expect(a.equals(b)).toBe(true);
    expect(a.equals(client.exportKeyingMaterial(32, 'EXPORTER-other'))).toBe(false);
    client.close();
  });

  it('closes a client with no certificate before any application byte; authorize never runs', async () => {
    const authorize = vi.fn(() => 'accept' as const);
    h = await startListener({ authorize });
    h.listener.on('connection', (s) => s.write(Buffer.from('welcome')));
    const rejected = h.nextRejected();
    const c = rawTlsClient(h.port);
    await c.secure; // TLS 1.3: the client's handshake completes before the server judges it
    c.socket.write('hello?');
    await c.closed;
    expect(c.received().length).toBe(0);
    expect(await rejected).toMatchObject({ reason: 'no-certificate' });
    expect(authorize).not.toHaveBeenCalled();
    expect(h.connections).toHaveLength(0);
  });

  it('a certificate that authorize rejects gets zero application bytes', async () => {
    h = await startListener({ authorize: (r) => (r.deviceId === bob.deviceId ? 'accept' : 'reject') });
    h.listener.on('connection', (s) => s.write(Buffer.from('welcome')));
    const rejected = h.nextRejected();
    const c = rawTlsClient(h.port, { cert: mallory.certPem, key: mallory.keyPem });
    await c.closed;
    expect(c.received().length).toBe(0);
    expect(await rejected).toMatchObject({ reason: 'unauthorized', deviceId: mallory.deviceId });

    // The same listener still serves an authorized peer (and would write to it).
    const ok = rawTlsClient(h.port, { cert: bob.certPem, key: bob.keyPem });
    await until(() => ok.received().toString() === 'welcome');
    ok.socket.destroy();
  });

  it('an authorize that throws counts as reject', async () => {
    h = await startListener({
      authorize: () => {
        throw new Error('engine bug');
      },
    });
    const rejected = h.nextRejected();
    const c = rawTlsClient(h.port, { cert: bob.certPem, key: bob.keyPem });
    await c.closed;
    expect(c.received().length).toBe(0);
    expect((await rejected).reason).toBe('unauthorized');
  });

  it('the dialer, rejected by the server after its own handshake completed, sees a close (finding 4)', async () => {
    h = await startListener({ authorize: () => 'reject' });
    const s = await dialAsBob(h.port, { expectedDeviceId: alice.deviceId });
    s.write(Buffer.from('HELLO')); // goes nowhere: only an application ACCEPT would confirm
    expect(await closeReason(s)).toMatchObject({ code: 'ERR_CONNECTION_CLOSED' });
  });

  it('an unknown ALPN, or none, never reaches authorize', async () => {
    const authorize = vi.fn(() => 'accept' as const);
    h = await startListener({ authorize });
    const bad = rawTlsClient(h.port, { cert: bob.certPem, key: bob.keyPem, ALPNProtocols: ['http/1.1'] });
    await bad.closed;
    const none = rawTlsClient(h.port, { cert: bob.certPem, key: bob.keyPem, ALPNProtocols: [] });
    await none.closed;
    await until(() => h!.rejected.length === 2);
    expect(h.rejected.map((r) => r.reason).sort()).toEqual(['tls-error', 'wrong-alpn']);
    expect(authorize).not.toHaveBeenCalled();
  });

  it('a device-ID mismatch fails the dial with ERR_CERT_CHANGED before any application byte', async () => {
    h = await startListener({ identity: mallory });
    const err = await dialAsBob(h.port, { expectedDeviceId: alice.deviceId }).catch((e: unknown) => e);
    expect(isEngineError(err, 'ERR_CERT_CHANGED')).toBe(true);
    expect(err).toMatchObject({ kind: 'peer-fault' });
    // The dialer hangs up right after its handshake, so the server may or may not have got
    // as far as accepting; if it did, not one application byte arrived.
    await until(() => h!.connections.length + h!.rejected.length > 0);
    for (const server of h.connections) {
      const got = collect(server);
      await closeReason(server);
      expect(got().length).toBe(0);
    }
  });

  it('refused and unreachable → ERR_PEER_UNREACHABLE (retryable)', async () => {
    h = await startListener();
    const port = h.port;
    await h.close();
    h = undefined;
    const err = await dialAsBob(port).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_PEER_UNREACHABLE', kind: 'retryable' });
  });

  it('refuses a server that speaks outside the policy (ALPN, version, cipher)', async () => {
    const cases = [
      { ALPNProtocols: ['peerdeck-bulk/1'] },
      { minVersion: 'TLSv1.2' as const, maxVersion: 'TLSv1.2' as const },
      { ciphers: 'TLS_CHACHA20_POLY1305_SHA256' },
    ];
    for (const extra of cases) {
      const srv = createTlsServer({ cert: alice.certPem, key: alice.keyPem, ...extra });
      srv.on('tlsClientError', () => {});
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      const err = await dialAsBob(port).catch((e: unknown) => e);
      expect(err, JSON.stringify(extra)).toMatchObject({ code: 'ERR_HANDSHAKE_FAILED', kind: 'peer-fault' });
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });

  it('listen() on a port in use fails with ERR_LISTEN_FAILED', async () => {
    h = await startListener();
    const err = await startListener({ port: h.port }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_LISTEN_FAILED', kind: 'local', cause: { code: 'EADDRINUSE' } });
  });

  it('close() drops accepted sockets and stops listening', async () => {
    h = await startListener();
    const serverSide = h.nextConnection();
    const client = await dialAsBob(h.port);
    await serverSide;
    await h.close();
    h = undefined;
    expect(await closeReason(client)).toMatchObject({ code: 'ERR_CONNECTION_CLOSED' });
    await sleep(10);
  });
});

describe('dialer set-up errors', () => {
  it('a broken key or a bad port rejects with a local EngineError instead of throwing', async () => {
    const badKey = await dialAsBob(1234, { keyPem: 'not a key' }).catch((e: unknown) => e);
    expect(badKey).toMatchObject({ code: 'ERR_IDENTITY_CORRUPT', kind: 'local' });
    const badPort = await dialAsBob(70_000).catch((e: unknown) => e);
    expect(badPort).toMatchObject({ code: 'ERR_USAGE', kind: 'usage' });
  });
});
