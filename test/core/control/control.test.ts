import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectControl, tryConnectControl } from '../../../src/core/control/control-client.js';
import type { ControlClient } from '../../../src/core/control/control-client.js';
import { createControlServer } from '../../../src/core/control/control-server.js';
import type { ControlContext, ControlHandler, ControlServer } from '../../../src/core/control/control-server.js';
import { EngineError } from '../../../src/core/errors.js';

let dir: string;
let socketPath: string;
const cleanups: (() => unknown)[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pd-ctl-'));
  socketPath = join(dir, 'control.sock');
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  rmSync(dir, { recursive: true, force: true });
});

async function serve(handler: ControlHandler, maxLineBytes?: number): Promise<ControlServer> {
  const server = await createControlServer({ socketPath, handler, ...(maxLineBytes ? { maxLineBytes } : {}) });
  cleanups.push(() => server.close());
  return server;
}

async function connect(): Promise<ControlClient> {
  const client = await connectControl(socketPath);
  cleanups.push(() => client.close());
  return client;
}

/** A raw socket speaking lines, for malformed input. */
async function raw(): Promise<{ socket: Socket; next(): Promise<unknown> }> {
  const socket = createConnection({ path: socketPath });
  await new Promise((res) => socket.once('connect', res));
  cleanups.push(() => socket.destroy());
  let buf = '';
  const queue: unknown[] = [];
  const waiters: ((v: unknown) => void)[] = [];
  socket.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const msg: unknown = JSON.parse(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      const w = waiters.shift();
      if (w) w(msg);
      else queue.push(msg);
    }
  });
  return {
    socket,
    next: () => new Promise((res) => (queue.length > 0 ? res(queue.shift()) : waiters.push(res))),
  };
}

const echo: ControlHandler = async (method, params) => {
  if (method === 'echo') return params;
  if (method === 'nothing') return undefined;
  throw new EngineError('ERR_USAGE', `unknown method ${method}`, 'usage');
};

describe('control server + client', () => {
  it('creates the socket with mode 0600', async () => {
    await serve(echo);
    const st = statSync(socketPath);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
  });

  it('round-trips a call; undefined results arrive as null', async () => {
    await serve(echo);
    const client = await connect();
    expect(await client.call('echo', { a: [1, 'two', null] })).toEqual({ a: [1, 'two', null] });
    expect(await client.call('nothing')).toBeNull();
    // concurrent calls on one connection
    const many = await Promise.all(Array.from({ length: 20 }, (_, i) => client.call('echo', i)));
    expect(many).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('streams events, then the final result', async () => {
    await serve(async (_m, params, ctx) => {
      for (let i = 0; i < (params as number); i++) ctx.emit({ progress: i });
      return 'done';
    });
    const client = await connect();
    const events: unknown[] = [];
    expect(await client.call('send', 3, { onEvent: (e) => events.push(e) })).toBe('done');
    expect(events).toEqual([{ progress: 0 }, { progress: 1 }, { progress: 2 }]);
  });

  it('carries error code, message and kind; non-EngineErrors become ERR_INTERNAL', async () => {
    await serve(async (method) => {
      if (method === 'boom') throw new Error('kaput');
      throw new EngineError('ERR_PEER_UNKNOWN', 'no such peer', 'usage');
    });
    const client = await connect();
    await expect(client.call('trust')).rejects.toMatchObject({ code: 'ERR_PEER_UNKNOWN', message: 'no such peer', kind: 'usage' });
    await expect(client.call('boom')).rejects.toMatchObject({ code: 'ERR_INTERNAL', message: 'kaput' });
    const err = await client.call('trust').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
  });

  it('answers malformed JSON, bad envelopes and oversize lines with errors and keeps serving', async () => {
    await serve(echo, 1024);
    const c = await raw();
    c.socket.write('{not json\n');
    expect(await c.next()).toMatchObject({ id: null, ok: false, error: { code: 'ERR_CONTROL' } });
    c.socket.write('{"id":7,"method":""}\n');
    expect(await c.next()).toMatchObject({ id: 7, ok: false, error: { code: 'ERR_CONTROL' } });
    c.socket.write('[1,2]\n"str"\nnull\n');
    for (let i = 0; i < 3; i++) expect(await c.next()).toMatchObject({ id: null, ok: false });
    c.socket.write(`{"id":1,"method":"echo","params":"${'x'.repeat(5000)}"}\n`);
    expect(await c.next()).toMatchObject({ id: null, ok: false, error: { code: 'ERR_MESSAGE_TOO_LARGE' } });
    c.socket.write('{"id":2,"method":"echo","params":"still here"}\n');
    expect(await c.next()).toEqual({ id: 2, ok: true, result: 'still here' });
    // string ids, and the same number as a string is a different call
    c.socket.write('{"id":"2","method":"echo","params":1}\n');
    expect(await c.next()).toEqual({ id: '2', ok: true, result: 1 });
  });

  it('rejects a duplicate id while the first call is in flight', async () => {
    let release!: () => void;
    await serve(() => new Promise<string>((res) => (release = () => res('first'))));
    const c = await raw();
    c.socket.write('{"id":1,"method":"wait"}\n{"id":1,"method":"wait"}\n');
    expect(await c.next()).toMatchObject({ id: 1, ok: false, error: { code: 'ERR_CONTROL' } });
    release();
    expect(await c.next()).toEqual({ id: 1, ok: true, result: 'first' });
  });

  it('aborts the handler signal when the client disconnects', async () => {
    let ctxSeen!: ControlContext;
    const aborted = new Promise<unknown>((resolveAborted) => {
      void serve(
        (_m, _p, ctx) =>
          new Promise((_res, rej) => {
            ctxSeen = ctx;
            ctx.signal.addEventListener('abort', () => {
              resolveAborted(ctx.signal.reason);
              rej(ctx.signal.reason);
            });
          }),
      );
    });
    await new Promise((r) => setTimeout(r, 50));
    const client = await connectControl(socketPath);
    const call = client.call('send', undefined, { onEvent: () => undefined });
    await waitFor(() => ctxSeen !== undefined);
    client.close();
    await expect(call).rejects.toMatchObject({ code: 'ERR_CONTROL' });
    expect(await aborted).toMatchObject({ code: 'ERR_CONTROL' });
    ctxSeen.emit({ ignored: true }); // emitting after the end is harmless
  });

  it('a client-side AbortSignal cancels just that call on the engine', async () => {
    const reasons: unknown[] = [];
    await serve(async (method, _p, ctx) => {
      if (method === 'ping') return 'pong';
      ctx.emit({ started: true });
      await new Promise((res) => ctx.signal.addEventListener('abort', res));
      reasons.push(ctx.signal.reason);
      return 'late';
    });
    const client = await connect();
    const ac = new AbortController();
    const call = client.call('wait', null, { signal: ac.signal, onEvent: () => ac.abort(new Error('user hit ^C')) });
    await expect(call).rejects.toThrow('user hit ^C');
    await waitFor(() => reasons.length === 1);
    expect(reasons[0]).toMatchObject({ code: 'ERR_CONTROL' });
    expect(await client.call('ping')).toBe('pong'); // the connection lives on
  });

  it('close() aborts calls in flight, rejects clients and removes the socket file', async () => {
    const server = await serve((_m, _p, ctx) => new Promise((_res, rej) => ctx.signal.addEventListener('abort', () => rej(ctx.signal.reason))));
    const client = await connect();
    const outcome = client.call('wait').catch((e: unknown) => e);
    await waitFor(() => server.connectionCount === 1);
    await server.close();
    expect(await outcome).toMatchObject({ code: 'ERR_CONTROL' });
    expect(existsSync(socketPath)).toBe(false);
    expect(await tryConnectControl(socketPath)).toBeNull();
  });

  it('replaces a stale socket file, but refuses to replace a regular file', async () => {
    const first = await createControlServer({ socketPath, handler: echo });
    // Simulate a crash: leave a socket file behind that nobody listens on.
    await stopWithoutUnlink(first);
    expect(await tryConnectControl(socketPath)).toBeNull(); // ECONNREFUSED: no engine
    await serve(echo);
    expect(await (await connect()).call('echo', 1)).toBe(1);

    const other = join(dir, 'file.sock');
    writeFileSync(other, 'x');
    await expect(createControlServer({ socketPath: other, handler: echo })).rejects.toMatchObject({ code: 'ERR_CONTROL' });
  });

  it('refuses a socket directory others can write to', async () => {
    chmodSync(dir, 0o777);
    await expect(createControlServer({ socketPath, handler: echo })).rejects.toMatchObject({ code: 'ERR_CONFIG_DIR' });
    chmodSync(dir, 0o700);
  });

  it('no socket file means no engine; connectControl says so with ERR_CONTROL', async () => {
    expect(await tryConnectControl(socketPath)).toBeNull();
    await expect(connectControl(socketPath)).rejects.toMatchObject({ code: 'ERR_CONTROL' });
  });

  it('a call on a closed client rejects with ERR_CONTROL', async () => {
    await serve(echo);
    const client = await connect();
    client.close();
    expect(client.closed).toBe(true);
    await expect(client.call('echo', 1)).rejects.toMatchObject({ code: 'ERR_CONTROL' });
  });
});

async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
}

/** Leave the socket file in place, as a SIGKILLed engine would. */
async function stopWithoutUnlink(server: ControlServer): Promise<void> {
  const keep = join(dir, 'keep.sock');
  const { renameSync } = await import('node:fs');
  renameSync(socketPath, keep); // libuv unlinks the original path on close
  await server.close();
  renameSync(keep, socketPath);
}
