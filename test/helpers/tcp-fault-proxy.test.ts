import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startFaultProxy, type TcpFaultProxy } from './tcp-fault-proxy.js';

/** Upstream that echoes everything and remembers what it got. */
async function echoServer(): Promise<{ server: Server; port: number; received: () => number; sockets: Socket[] }> {
  let got = 0;
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    s.on('error', () => {});
    s.on('data', (d) => {
      got += d.length;
      s.write(d);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  if (!addr || typeof addr !== 'object') throw new Error('no address');
  return { server, port: addr.port, received: () => got, sockets };
}

function connectClient(port: number): Promise<{ sock: Socket; received: () => Buffer; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const sock = createConnection({ port, host: '127.0.0.1' });
    const closed = new Promise<void>((r) => sock.on('close', () => r()));
    sock.on('error', () => {});
    sock.on('data', (d: Buffer) => chunks.push(d));
    sock.once('connect', () => resolve({ sock, received: () => Buffer.concat(chunks), closed }));
    sock.once('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(5);
  }
}

describe('tcp-fault-proxy', () => {
  let proxy: TcpFaultProxy | undefined;
  let upstream: Server | undefined;
  afterEach(async () => {
    await proxy?.close();
    await new Promise<void>((r) => (upstream ? upstream.close(() => r()) : r()));
    proxy = undefined;
    upstream = undefined;
  });

  it('forwards both ways and counts bytes', async () => {
    const echo = await echoServer();
    upstream = echo.server;
    proxy = await startFaultProxy({ targetPort: echo.port });
    const c = await connectClient(proxy.port);
    c.sock.write(Buffer.alloc(100_000, 7));
    await until(() => c.received().length === 100_000);
    expect(proxy.bytesUp).toBe(100_000);
    expect(proxy.bytesDown).toBe(100_000);
    expect(proxy.connections).toBe(1);
    expect(proxy.openConnections).toBe(1);
    c.sock.end();
    await c.closed;
  });

  it('stall() holds data silently; resume() delivers it', async () => {
    const echo = await echoServer();
    upstream = echo.server;
    proxy = await startFaultProxy({ targetPort: echo.port });
    const c = await connectClient(proxy.port);
    c.sock.write('ping');
    await until(() => c.received().length === 4);
    proxy.stall();
    c.sock.write('held');
    await sleep(150);
    expect(echo.received()).toBe(4);
    expect(c.received().toString()).toBe('ping');
    expect(c.sock.destroyed).toBe(false);
    proxy.resume();
    await until(() => c.received().toString() === 'pingheld');
    expect(proxy.bytesUp).toBe(8);
  });

  it('cut() closes both sides', async () => {
    const echo = await echoServer();
    upstream = echo.server;
    proxy = await startFaultProxy({ targetPort: echo.port });
    const c = await connectClient(proxy.port);
    c.sock.write('x');
    await until(() => c.received().length === 1);
    const upstreamClosed = new Promise<void>((r) => echo.sockets[0]!.on('close', () => r()));
    proxy.cut();
    await c.closed;
    await upstreamClosed;
    expect(proxy.openConnections).toBe(0);
  });

  it('cutAfterBytes(n) forwards exactly n more bytes, then cuts', async () => {
    const echo = await echoServer();
    upstream = echo.server;
    proxy = await startFaultProxy({ targetPort: echo.port });
    const c = await connectClient(proxy.port);
    c.sock.write('abc');
    await until(() => c.received().length === 3);
    // 3 up + 3 down so far; allow 10 more in total: the next 10 bytes up, nothing echoed back.
    proxy.cutAfterBytes(10);
    c.sock.write(Buffer.alloc(1000, 1));
    await c.closed;
    await until(() => echo.received() === 13);
    await sleep(50);
    expect(echo.received()).toBe(13);
    expect(proxy.bytesUp).toBe(13);
    expect(proxy.bytesDown).toBe(3);
  });

  it('a stalled proxy still accepts connections but forwards nothing', async () => {
    const echo = await echoServer();
    upstream = echo.server;
    proxy = await startFaultProxy({ targetPort: echo.port });
    proxy.stall();
    const c = await connectClient(proxy.port);
    c.sock.write('hello');
    await sleep(100);
    expect(echo.received()).toBe(0);
    proxy.resume();
    await until(() => c.received().toString() === 'hello');
  });
});
