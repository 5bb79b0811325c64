/** Pre-auth limits of the listener: handshake timeout, pending cap, slow authorize, resumption. */
import { createConnection, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock, systemClock } from '../../../src/core/clock.js';
import { dialTls } from '../../../src/core/tls/tls-dialer.js';
import type { AuthorizeDecision } from '../../../src/core/tls/tls-listener.js';
import { ALPN_SESSION, FIRST_BYTES_TIMEOUT_MS, HANDSHAKE_TIMEOUT_MS } from '../../../src/core/tls/tls-options.js';
import { testIdentity } from '../../helpers/certs.js';
import { rawTlsClient, silentServer, startListener, until, type ListenerHarness } from './harness.js';

const bob = testIdentity('bob');

function rawTcp(port: number): { sock: Socket; closed: Promise<void>; connected: Promise<void> } {
  const sock = createConnection({ host: '127.0.0.1', port });
  sock.on('error', () => {});
  return {
    sock,
    closed: new Promise((r) => sock.once('close', () => r())),
    connected: new Promise((r) => sock.once('connect', () => r())),
  };
}

describe('listener pre-auth limits', () => {
  let h: ListenerHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('drops a TCP client that sends nothing after the first-bytes deadline (manual clock)', async () => {
    const clock = new ManualClock();
    h = await startListener({ clock });
    const c = rawTcp(h.port);
    await until(() => h!.listener.pendingHandshakes === 1);
    clock.advance(FIRST_BYTES_TIMEOUT_MS - 1);
    expect(c.sock.destroyed).toBe(false);
    const rejected = h.nextRejected();
    clock.advance(1);
    await c.closed;
    expect(await rejected).toMatchObject({ reason: 'first-bytes-timeout' });
    expect(h.listener.pendingHandshakes).toBe(0);
    expect(h.listener.preauth.pending).toBe(0);
    expect(clock.pendingCount).toBe(0);
  });

  it('a client that sent a first byte but never finishes is cut at the handshake deadline', async () => {
    const clock = new ManualClock();
    h = await startListener({ clock });
    const c = rawTcp(h.port);
    await c.connected;
    c.sock.write(Buffer.from([0x16])); // the first byte of a TLS record, then nothing
    await until(() => h!.listener.pendingHandshakes === 1);
    await new Promise((r) => setTimeout(r, 50)); // let the byte arrive
    clock.advance(FIRST_BYTES_TIMEOUT_MS);
    expect(c.sock.destroyed).toBe(false);
    clock.advance(HANDSHAKE_TIMEOUT_MS - FIRST_BYTES_TIMEOUT_MS - 1);
    expect(c.sock.destroyed).toBe(false);
    const rejected = h.nextRejected();
    clock.advance(1);
    await c.closed;
    expect(await rejected).toMatchObject({ reason: 'handshake-timeout' });
    expect(h.listener.preauth.pending).toBe(0);
    expect(clock.pendingCount).toBe(0);
  });

  it('drops a silent TCP client after an injected short handshake timeout (system clock)', async () => {
    h = await startListener({ handshakeTimeoutMs: 150 });
    const c = rawTcp(h.port);
    await c.connected;
    const t0 = Date.now();
    await c.closed;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(h.rejected.map((r) => r.reason)).toEqual(['handshake-timeout']);
  });

  it('the timeout also covers an authorize that never answers', async () => {
    const clock = new ManualClock();
    const authorize = vi.fn(() => new Promise<AuthorizeDecision>(() => {}));
    h = await startListener({ clock, authorize });
    const c = rawTlsClient(h.port, { cert: bob.certPem, key: bob.keyPem });
    await until(() => authorize.mock.calls.length === 1);
    expect(h.listener.pendingHandshakes).toBe(1);
    clock.advance(HANDSHAKE_TIMEOUT_MS);
    await c.closed;
    expect(c.received().length).toBe(0);
    expect(h.listener.pendingHandshakes).toBe(0);
  });

  it('caps concurrent unauthenticated connections; slots free up again', async () => {
    const clock = new ManualClock();
    h = await startListener({ clock, maxPendingHandshakes: 2 });
    const a = rawTcp(h.port);
    const b = rawTcp(h.port);
    await until(() => h!.listener.pendingHandshakes === 2);
    const third = rawTcp(h.port);
    await third.closed;
    const tls = rawTlsClient(h.port, { cert: bob.certPem, key: bob.keyPem });
    await tls.closed;
    expect(h.connections).toHaveLength(0);
    expect(h.rejected.filter((r) => r.reason === 'too-many-pending')).toHaveLength(2);
    expect(a.sock.destroyed || b.sock.destroyed).toBe(false);

    a.sock.destroy();
    b.sock.destroy();
    await until(() => h!.listener.pendingHandshakes === 0);
    const s = await dialTls({
      host: '127.0.0.1',
      port: h.port,
      certPem: bob.certPem,
      keyPem: bob.keyPem,
      alpn: ALPN_SESSION,
      clock,
    });
    expect(s.deviceId).toBe(h.identity.deviceId);
    s.close();
  });

  it('one source address holds at most its share; an address with a pinned handshake on record keeps the reserved share', async () => {
    const clock = new ManualClock();
    h = await startListener({ clock, maxPendingHandshakes: 4, preauth: { perSource: 2, reserved: 2 } });
    // bob completes a session handshake from 127.0.0.1 first: his address is now on record.
    const first = await dialTls({ host: '127.0.0.1', port: h.port, certPem: bob.certPem, keyPem: bob.keyPem, alpn: ALPN_SESSION, clock });
    await until(() => h!.connections.length === 1);
    first.close();
    expect(h.listener.preauth.isKnown('127.0.0.1')).toBe(true);
    const hostile = (from: string) => {
      const sock = createConnection({ host: '127.0.0.1', port: h!.port, localAddress: from });
      sock.on('error', () => {});
      return sock;
    };
    const flood = Array.from({ length: 10 }, () => hostile('127.0.0.2'));
    await until(() => h!.rejected.filter((r) => r.reason === 'source-share').length === 8);
    expect(h.listener.preauth.pending).toBe(2);
    // Two more addresses fill the shared pool (4).
    const more = [hostile('127.0.0.3'), hostile('127.0.0.3'), hostile('127.0.0.4')];
    await until(() => h!.listener.preauth.pending === 4 && h!.rejected.length === 9);
    expect(h.rejected.at(-1)).toMatchObject({ reason: 'too-many-pending', remoteAddress: '127.0.0.4' });
    // bob still gets in, on the reserved share.
    const again = await dialTls({ host: '127.0.0.1', port: h.port, certPem: bob.certPem, keyPem: bob.keyPem, alpn: ALPN_SESSION, clock });
    await until(() => h!.connections.length === 2);
    again.close();
    for (const s of [...flood, ...more]) s.destroy();
  });

  it('the dialer gives up on a server that never handshakes with ERR_HANDSHAKE_TIMEOUT', async () => {
    const clock = new ManualClock();
    const silent = await silentServer();
    const dial = dialTls({
      host: '127.0.0.1',
      port: silent.port,
      certPem: bob.certPem,
      keyPem: bob.keyPem,
      alpn: ALPN_SESSION,
      clock,
      timeoutMs: 1000,
    }).catch((e: unknown) => e);
    const accepted = await silent.accepted;
    await until(() => accepted.bytesRead > 0); // the ClientHello arrived: TCP is up
    clock.advance(1000);
    expect(await dial).toMatchObject({ code: 'ERR_HANDSHAKE_TIMEOUT', kind: 'retryable' });
    await new Promise<void>((r) => silent.server.close(() => r()));
  });

  it('no session resumption: a client offering a saved session gets a full handshake and authorize again', async () => {
    const authorize = vi.fn(() => 'accept' as const);
    h = await startListener({ authorize });
    h.listener.on('connection', (s) => s.write(Buffer.from('hi')));

    const first = rawTlsClient(h.port, { cert: bob.certPem, key: bob.keyPem });
    const session = await new Promise<Buffer>((r) => first.socket.once('session', r));
    await until(() => first.received().length === 2);
    first.socket.end();

    // Same session offered again, this time without a certificate: resuming would
    // let a stranger inherit bob's identity.
    const second = rawTlsClient(h.port, { session });
    await second.secure;
    expect(second.socket.isSessionReused()).toBe(false);
    await second.closed;
    expect(second.received().length).toBe(0);
    await until(() => h!.rejected.length === 1);
    expect(h.rejected[0]).toMatchObject({ reason: 'no-certificate' });

    const third = rawTlsClient(h.port, { cert: bob.certPem, key: bob.keyPem, session });
    await until(() => third.received().length === 2);
    expect((third.socket as TLSSocket).isSessionReused()).toBe(false);
    expect(authorize).toHaveBeenCalledTimes(2);
    expect(h.connections.map((c) => c.deviceId)).toEqual([bob.deviceId, bob.deviceId]);
    third.socket.end();
  });

  it('never crashes on garbage instead of a ClientHello', async () => {
    h = await startListener({ clock: systemClock });
    const c = rawTcp(h.port);
    await c.connected;
    c.sock.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    await c.closed;
    await until(() => h!.rejected.length === 1);
    expect(h.rejected[0]!.reason).toBe('tls-error');
    expect(h.listener.pendingHandshakes).toBe(0);
  });
});
