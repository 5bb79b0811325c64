/**
 * SIGKILL of either side mid-transfer (reliability.md X6, §6 promise 3): the
 * restarted process continues from what is verifiably on the receiver's disk
 * (checkpoint + re-read tail) and from its journals, and no more than the
 * in-flight window is sent twice. The data is held in a stalled proxy at
 * ~40 % so the kill lands mid-transfer whatever the machine's speed.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CHUNK_FRAME_OVERHEAD } from '../../../src/protocol/chunk-frame.js';
import { startFaultProxy, type TcpFaultProxy } from '../../helpers/tcp-fault-proxy.js';
import { ChildPeer } from './helpers/child.js';
import { cleanupTempDirs, pseudoRandom, sha256File, sizeOf, tempDir, writeFile } from './helpers/files.js';
import { MiniPeer } from './helpers/mini-peer.js';
import { waitUntil } from './helpers/pair.js';

const CS = 256 * 1024;
const WINDOW = 8;
const SIZE = 48 * CS + 777;
const FRAMED = SIZE + Math.ceil(SIZE / CS) * CHUNK_FRAME_OVERHEAD;
const children: ChildPeer[] = [];
const peers: MiniPeer[] = [];
let proxy: TcpFaultProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  for (const c of children.splice(0)) await c.kill().catch(() => undefined);
  for (const p of peers.splice(0)) await p.stop();
  proxy = undefined;
  cleanupTempDirs();
});


/** Wait until `dir` (a transfer's partial folder) holds at least `bytes` of data, then stall the proxy. */
async function stallAt(dir: string, bytes: number, px: TcpFaultProxy): Promise<void> {
  await waitUntil(() => sizeOf(path.join(dir, '0.part')) >= bytes, 20_000, 'the receiver to get some data');
  px.stall();
}

describe('SIGKILL mid-transfer', () => {
  it('of the receiver: restarted, it resumes from its disk; at most the window is sent twice', async () => {
    const root = tempDir();
    const recvOpts = { identity: 1, downloads: path.join(root, 'dl'), stateDir: path.join(root, 'state-b'), reserveBytes: 0, windowChunks: WINDOW };
    let b = await ChildPeer.spawn(recvOpts);
    children.push(b);
    const a = await MiniPeer.start({ identity: 0, downloads: path.join(root, 'a-dl'), chunkSize: CS, windowChunks: WINDOW });
    peers.push(a);
    proxy = await startFaultProxy({ targetPort: b.port });
    a.trust(b.deviceId, b.port);
    a.bulkPort.set(b.deviceId, proxy.port);
    b.send({ cmd: 'trust', deviceId: a.deviceId, port: a.port });
    await a.connect(b.deviceId);
    const file = writeFile(path.join(root, 'src/movie.bin'), pseudoRandom(SIZE, 77));
    const { transferId } = await a.manager.offer(b.deviceId, [file]);
    await stallAt(path.join(root, 'dl/.peerdeck-partial', transferId), SIZE * 0.4, proxy);
    await b.kill('SIGKILL');
    proxy.cut();
    proxy.resume();
    expect(a.manager.views()[0]?.state).not.toBe('done');

    b = await ChildPeer.spawn({ ...recvOpts, listenPort: b.port }); // same state, same port
    children.push(b);
    b.send({ cmd: 'trust', deviceId: a.deviceId, port: a.port });
    await a.connect(b.deviceId);
    expect(await a.manager.waitFor(transferId)).toEqual({ ok: true });
    const done = await a.next('transfer-done', () => true, 5_000, true);
    expect(sha256File(path.join(root, 'dl/movie.bin'))).toBe(sha256File(file));
    const resent = done.bytesOnWire - FRAMED - 400;
    console.log(`receiver killed at ~40 %: ${done.bytesOnWire} bytes on the wire for ${SIZE}: re-sent ${resent} (window ${WINDOW} × ${CS})`);
    expect(resent).toBeLessThanOrEqual(WINDOW * (CS + CHUNK_FRAME_OVERHEAD));
  });

  it('of the sender: restarted from its journal, it re-offers and resumes; at most the window is sent twice', async () => {
    const root = tempDir();
    const b = await MiniPeer.start({ identity: 1, downloads: path.join(root, 'dl'), reserveBytes: 0, windowChunks: WINDOW });
    peers.push(b);
    const sendOpts = { identity: 0, downloads: path.join(root, 'a-dl'), stateDir: path.join(root, 'state-a'), chunkSize: CS, windowChunks: WINDOW };
    let a = await ChildPeer.spawn(sendOpts);
    children.push(a);
    proxy = await startFaultProxy({ targetPort: b.port });
    b.trust(a.deviceId, a.port);
    a.send({ cmd: 'trust', deviceId: b.deviceId, port: b.port });
    a.send({ cmd: 'bulk-port', deviceId: b.deviceId, port: proxy.port });
    a.send({ cmd: 'connect', deviceId: b.deviceId });
    await a.wait((l) => l.type === 'connected');
    const file = writeFile(path.join(root, 'src/movie.bin'), pseudoRandom(SIZE, 78));
    a.send({ cmd: 'offer', deviceId: b.deviceId, paths: [file] });
    const transferId = (await a.wait((l) => l.type === 'offered')).transferId as string;
    await stallAt(path.join(root, 'dl/.peerdeck-partial', transferId), SIZE * 0.4, proxy);
    await a.kill('SIGKILL');
    proxy.cut();
    proxy.resume();

    a = await ChildPeer.spawn({ ...sendOpts, listenPort: a.port });
    children.push(a);
    a.send({ cmd: 'trust', deviceId: b.deviceId, port: b.port });
    a.send({ cmd: 'bulk-port', deviceId: b.deviceId, port: proxy.port });
    a.send({ cmd: 'connect', deviceId: b.deviceId });
    const done = await b.next('transfer-done', () => true, 30_000);
    expect(done.id).toBe(transferId);
    expect(sha256File(path.join(root, 'dl', done.paths[0]!))).toBe(sha256File(file));
    const sent = await a.event('transfer-done', 10_000);
    expect(sent.id).toBe(transferId);
    // The receiver counts every byte it read, on both connections.
    const resent = done.bytesOnWire - FRAMED - 400;
    console.log(`sender killed at ~40 %: receiver read ${done.bytesOnWire} bytes for ${SIZE}: re-sent ${resent} (window ${WINDOW} × ${CS})`);
    expect(resent).toBeLessThanOrEqual(WINDOW * (CS + CHUNK_FRAME_OVERHEAD));
  });
});
