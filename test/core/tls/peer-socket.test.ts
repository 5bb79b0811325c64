/** PeerSocket: idle timeout (incl. a silent network), pause, close, backpressure. */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, type Clock } from '../../../src/core/clock.js';
import type { PeerSocket } from '../../../src/core/tls/peer-socket.js';
import { dialTls } from '../../../src/core/tls/tls-dialer.js';
import { ALPN_SESSION, CLOSE_GRACE_MS, IDLE_TIMEOUT_MS } from '../../../src/core/tls/tls-options.js';
import { testIdentity } from '../../helpers/certs.js';
import { startFaultProxy, type TcpFaultProxy } from '../../helpers/tcp-fault-proxy.js';
import { closeReason, collect, sleep, startListener, until, type ListenerHarness } from './harness.js';

const bob = testIdentity('bob');

describe('PeerSocket', () => {
  let h: ListenerHarness | undefined;
  let proxy: TcpFaultProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    await h?.close();
    h = undefined;
    proxy = undefined;
  });

  /** A connected pair, optionally through the fault proxy. */
  async function pair(
    clock: Clock,
    viaProxy = false,
    clientIdleMs?: number,
  ): Promise<{ client: PeerSocket; server: PeerSocket }> {
    h = await startListener({ clock });
    let port = h.port;
    if (viaProxy) {
      proxy = await startFaultProxy({ targetPort: h.port });
      port = proxy.port;
    }
    const serverSide = h.nextConnection();
    const client = await dialTls({
      host: '127.0.0.1',
      port,
      certPem: bob.certPem,
      keyPem: bob.keyPem,
      alpn: ALPN_SESSION,
      clock,
      idleTimeoutMs: clientIdleMs,
    });
    return { client, server: await serverSide };
  }

  it('closes with ERR_IDLE_TIMEOUT when nothing arrives; any received byte resets the timer', async () => {
    const clock = new ManualClock();
    const { client, server } = await pair(clock);
    const got = collect(server);
    clock.advance(IDLE_TIMEOUT_MS - 1000);
    client.write(Buffer.from('x'));
    await until(() => got().length === 1);
    clock.advance(IDLE_TIMEOUT_MS - 1000); // 2 × (idle - 1 s) since start, but only idle - 1 s since the byte
    expect(server.closed).toBe(false);
    const serverClosed = closeReason(server);
    const clientClosed = closeReason(client); // the client, which received nothing, times out too
    clock.advance(1000);
    expect(await serverClosed).toMatchObject({ code: 'ERR_IDLE_TIMEOUT', kind: 'retryable' });
    expect(await clientClosed).toMatchObject({ code: 'ERR_IDLE_TIMEOUT' });
  });

  it('notices a silent network (proxy stalled, no FIN, no RST) through the idle timeout', async () => {
    const clock = new ManualClock();
    const { client, server } = await pair(clock, true);
    const got = collect(server);
    const echoed = collect(client);
    server.on('data', (d) => server.write(d));
    // Healthy link: a heartbeat each way every 5 s keeps it open well past the idle timeout.
    for (let i = 1; i <= 6; i++) {
      client.write(Buffer.from('h'));
      await until(() => echoed().length === i);
      clock.advance(5_000);
    }
    expect(server.closed).toBe(false);
    expect(client.closed).toBe(false);

    proxy!.stall();
    const reason = closeReason(server);
    client.write(Buffer.from('h'));
    await sleep(50);
    expect(got().length).toBe(6); // held by the silent network
    clock.advance(IDLE_TIMEOUT_MS);
    expect(await reason).toMatchObject({ code: 'ERR_IDLE_TIMEOUT' });
    expect(got().length).toBe(6);
  });

  it('pause() suspends the idle timeout and holds data; resume() delivers it', async () => {
    const clock = new ManualClock();
    const { client, server } = await pair(clock, false, IDLE_TIMEOUT_MS * 10);
    const got = collect(server);
    server.pause();
    client.write(Buffer.from('held'));
    await sleep(50);
    expect(got().length).toBe(0);
    clock.advance(IDLE_TIMEOUT_MS * 3);
    expect(server.closed).toBe(false);
    server.resume();
    await until(() => got().toString() === 'held');
    client.write(Buffer.from('!'));
    await until(() => got().length === 5);
    expect(server.closed).toBe(false);
  });

  it('data sent before anyone listens is not lost', async () => {
    const clock = new ManualClock();
    const { client, server } = await pair(clock);
    client.write(Buffer.from('early'));
    await sleep(50);
    const got = collect(server);
    await until(() => got().toString() === 'early');
  });

  it('close(reason) destroys at once and reports that reason; writes after close return false', async () => {
    const clock = new ManualClock();
    const { client, server } = await pair(clock);
    const { EngineError } = await import('../../../src/core/errors.js');
    const mine = new EngineError('ERR_DENIED', 'no thanks', 'peer-fault');
    const local = closeReason(client);
    client.close(mine);
    expect(await local).toBe(mine);
    expect(client.write(Buffer.from('late'))).toBe(false);
    expect(await closeReason(server)).toMatchObject({ code: 'ERR_CONNECTION_CLOSED' });
  });

  it('close() is graceful: queued bytes arrive, then both ends close', async () => {
    const clock = new ManualClock();
    const { client, server } = await pair(clock);
    const got = collect(server);
    const payload = Buffer.alloc(2 * 1024 * 1024, 5);
    client.write(payload);
    const local = closeReason(client);
    client.close();
    expect(await closeReason(server)).toMatchObject({ code: 'ERR_CONNECTION_CLOSED' });
    expect(got().length).toBe(payload.length);
    expect(await local).toBeUndefined();
    expect(clock.pendingCount).toBe(0);
  });

  it('close() destroys after CLOSE_GRACE_MS when the peer never answers the FIN', async () => {
    const clock = new ManualClock();
    const { client } = await pair(clock, true);
    proxy!.stall();
    const local = closeReason(client);
    client.close();
    await sleep(30);
    expect(client.closed).toBe(false);
    clock.advance(CLOSE_GRACE_MS);
    expect(await local).toBeUndefined();
  });

  it('write() reports backpressure and emits drain', async () => {
    const clock = new ManualClock();
    const { client, server } = await pair(clock, true);
    proxy!.stall();
    let full = false;
    let sent = 0;
    for (let i = 0; i < 64 && !full; i++) {
      full = !client.write(Buffer.alloc(256 * 1024));
      sent += 256 * 1024;
    }
    expect(full).toBe(true);
    const drained = new Promise<void>((r) => client.once('drain', () => r()));
    const got = collect(server);
    proxy!.resume();
    await drained;
    await until(() => got().length === sent, 10_000);
  });
});
