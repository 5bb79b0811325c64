/**
 * The library through its public entry only: `import ... from 'peerdeck'`
 * resolves (package self-reference) to the built dist/index.js (`npm run build` first).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { createPeer, DeniedError, TimeoutError, type Connection, type ConnectionRequest, type Peer } from 'peerdeck';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'peerdeck-lib-'));
  dirs.push(d);
  return d;
}

let a: Peer;
let aDir: string;
let b: Peer;

beforeAll(async () => {
  aDir = tmp();
  a = await createPeer({ configDir: aDir, name: 'alice', port: 0, discovery: false, downloadsDir: tmp() });
  b = await createPeer({ configDir: tmp(), name: 'bob', port: 0, discovery: false, downloadsDir: tmp(), peers: [`127.0.0.1:${a.port}`] });
  await a.trust.add(b.deviceId, { name: 'bob' });
  await b.trust.add(a.deviceId, { name: 'alice' });
});

afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A accepts the next request on b and hands back both ends. */
async function pairOfConnections<T>(opts: Parameters<Peer['connect']>[1]): Promise<[Connection<T>, Connection<T>]> {
  const incoming = new Promise<Connection<T>>((resolve) => b.once('connection-request', (req: ConnectionRequest) => resolve(req.accept() as Connection<T>)));
  const mine = await a.connect<T>('bob', opts);
  return [mine, await incoming];
}

describe('peerdeck library', () => {
  it('loads none of Ink, React or meow', () => {
    const script = `const seen=[];const m=await import('node:module');m.register('data:text/javascript,'+encodeURIComponent('export async function resolve(s,c,n){const r=await n(s,c);if(/node_modules\\\\/(ink|react|meow)\\\\//.test(r.url))process.stderr.write("LOADED "+r.url+"\\\\n");return r}'));await import('peerdeck');console.log('ok')`;
    const run = (spec: string) =>
      spawnSync(process.execPath, ['--input-type=module', '-e', script.replace("'peerdeck'", `'${spec}'`)], { cwd: path.resolve(import.meta.dirname, '../..'), encoding: 'utf8' });
    const lib = run('peerdeck');
    expect(lib.stdout.trim()).toBe('ok');
    expect(lib.stderr).not.toContain('LOADED');
    // The probe does see them: importing meow itself is reported.
    expect(run('meow').stderr).toContain('LOADED');
  });

  it('has identity and trust', () => {
    expect(a.deviceId).toMatch(/^[A-Z2-7-]+$/i);
    expect(a.name).toBe('alice');
    expect(a.trust.list().map((p) => p.deviceId)).toEqual([b.deviceId]);
  });

  it('accepts, and every data type round-trips', async () => {
    const [j1, j2] = await pairOfConnections<unknown>({ type: 'json' });
    await j1.send({ x: [1, 'two', null] });
    expect((await j2.read()).value).toEqual({ x: [1, 'two', null] });
    await j2.send('back');
    expect((await j1.read()).value).toBe('back');
    j1.close();
    expect((await j2.read()).done).toBe(true);

    const [t1, t2] = await pairOfConnections<string>({ type: 'text' });
    await t1.send('héllo');
    expect((await t2.read()).value).toBe('héllo');
    t1.close();

    const [y1, y2] = await pairOfConnections<Uint8Array>({ type: 'bytes' });
    await y1.send(new Uint8Array([0, 1, 255]));
    expect([...((await y2.read()).value as Uint8Array)]).toEqual([0, 1, 255]);
    y1.close();

    const [s1, s2] = await pairOfConnections<unknown>({ type: 'structured' });
    const v = { d: new Date(5), m: new Map([[1, 'a']]), s: new Set([2]), u: new Uint8Array([7]), n: 2n ** 70n };
    await s1.send(v);
    expect((await s2.read()).value).toEqual(v);
    s1.close();
  });

  it('structured is data only: no RegExp from peer bytes, __proto__ stays an own key', async () => {
    const [s1, s2] = await pairOfConnections<unknown>({ type: 'structured' });
    await s1.send({ re: /a+$/g }); // cbor2 encodes a RegExp as a tag; the receiver must not build one
    const got = (await s2.read()).value as { re: unknown };
    expect(got.re).not.toBeInstanceOf(RegExp);
    expect(got.re).toMatchObject({ tag: expect.any(Number) });
    await s1.send(JSON.parse('{"__proto__": {"polluted": 1}, "ok": true}'));
    const v = (await s2.read()).value as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['__proto__', 'ok']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await s1.send([new Date(1), 5n, new Set(['x']), new Uint16Array([1, 2])]);
    expect((await s2.read()).value).toEqual([new Date(1), 5n, new Set(['x']), new Uint16Array([1, 2])]);
    s1.close();
  });

  it('fixed size: the wrong size is refused locally; strict violation closes both sides', async () => {
    const [c1, c2] = await pairOfConnections<Uint8Array>({ type: 'bytes', size: 4, strict: true });
    await expect(c1.send(new Uint8Array(3))).rejects.toMatchObject({ code: 'ERR_USAGE' });
    await c1.send(new Uint8Array(4));
    expect(((await c2.read()).value as Uint8Array).length).toBe(4);
    await c1.send(new Uint8Array(5), { unchecked: true });
    await expect(c2.read()).rejects.toMatchObject({ code: 'ERR_APP_VIOLATION' });
    await expect(c1.read()).rejects.toMatchObject({ code: 'ERR_APP_VIOLATION' });
  });

  it('fixed size, non-strict: a message of another size is dropped and reported, the connection goes on', async () => {
    const [c1, c2] = await pairOfConnections<Uint8Array>({ type: 'bytes', size: 4 });
    expect(c2).toMatchObject({ type: 'bytes', size: 4, strict: false });
    const reported = new Promise((resolve) => c2.once('violation', resolve));
    await c1.send(new Uint8Array(5), { unchecked: true });
    await c1.send(new Uint8Array([1, 2, 3, 4]));
    expect(await reported).toMatchObject({ code: 'ERR_APP_VIOLATION' });
    expect([...((await c2.read()).value as Uint8Array)]).toEqual([1, 2, 3, 4]);
    expect(c2.violations).toBe(1);
    c1.close();
  });

  it('non-strict: a message of another type is dropped and reported', async () => {
    const [c1, c2] = await pairOfConnections<unknown>({ type: 'json' });
    const reported = new Promise((resolve) => c2.once('violation', resolve));
    await c1.send(new Uint8Array([1]), { type: 'bytes' });
    await c1.send({ ok: 1 });
    expect(await reported).toMatchObject({ code: 'ERR_APP_VIOLATION' });
    expect((await c2.read()).value).toEqual({ ok: 1 });
    expect(c2.violations).toBe(1);
    c1.close();
  });

  it('deny gives DeniedError; no answer gives TimeoutError', async () => {
    b.once('connection-request', (req: ConnectionRequest) => req.deny('busy'));
    const denied = await a.connect('bob', { type: 'json' }).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(DeniedError);
    expect(denied).toMatchObject({ code: 'ERR_DENIED', reason: 'busy' });
    b.once('connection-request', () => {});
    const late = await a.connect('bob', { type: 'json', timeoutMs: 300 }).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(TimeoutError);
    expect(late).toMatchObject({ code: 'ERR_TIMEOUT' });
  });

  it('AbortSignal cancels a connect and a read', async () => {
    b.once('connection-request', () => {});
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    await expect(a.connect('bob', { type: 'json', signal: ac.signal })).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    const [c1, c2] = await pairOfConnections<unknown>({ type: 'json' });
    const rc = new AbortController();
    const pending = c2.read({ signal: rc.signal });
    rc.abort();
    await expect(pending).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    await c1.send(1);
    expect((await c2.read()).value).toBe(1);
    c1.close();
  });

  it('requests() iterates incoming requests', async () => {
    const it = b.requests();
    const got = (async () => {
      for await (const req of it) {
        expect(req).toMatchObject({ type: 'text', size: undefined, strict: false, peerId: a.deviceId });
        return req.accept();
      }
    })();
    const c1 = await a.connect<string>(b.deviceId, { type: 'text' });
    const c2 = (await got)!;
    await c1.send('via iterator');
    expect((await c2.read()).value).toBe('via iterator');
    c1.close();
  });

  it('an unpinned peer cannot connect, and a second engine on one identity is refused', async () => {
    await expect(a.connect('ZZZZZZZZ', { type: 'json' })).rejects.toMatchObject({ code: 'ERR_PEER_UNKNOWN' });
    await expect(createPeer({ configDir: aDir, port: 0, discovery: false })).rejects.toMatchObject({ code: 'ERR_ENGINE_LOCKED' });
    const c = await createPeer({ configDir: tmp(), name: 'carol', port: 0, discovery: false, downloadsDir: tmp(), peers: [`127.0.0.1:${a.port}`] });
    try {
      await c.trust.add(a.deviceId, { name: 'alice' }); // carol pins alice; alice does not pin carol
      await expect(c.connect('alice', { type: 'json', timeoutMs: 1500 })).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
    } finally {
      await c.close();
    }
  });

  it('types', () => {
    expectTypeOf(createPeer).returns.resolves.toEqualTypeOf<Peer>();
    expectTypeOf<Peer['connect']>().parameter(1).toHaveProperty('type').toEqualTypeOf<'json' | 'text' | 'bytes' | 'structured'>();
    expectTypeOf<Connection<string>['send']>().parameter(0).toEqualTypeOf<string>();
    expectTypeOf<ConnectionRequest['accept']>().returns.toEqualTypeOf<Connection>();
  });
});
