/**
 * Backpressure through the public entry, two real processes: a reader taking
 * 1 message per second (the consumer) for 5 s while the sender tries
 * to push 1 GiB as 256 KiB bytes messages as fast as send() allows. send()
 * waits for the transport, so the sender's resolved sends stay within what was
 * read plus what the window can hold (reader's queue, sender's socket buffer,
 * the kernel's TCP buffers at their configured maximum), and the RSS of each
 * process (sampled every 20 ms inside it) stays under 150 MB. The run is 5 s,
 * not the ~4,000 s a 1 msg/s reader would need to drain 1 GiB: after the
 * first moments the sender is parked on a full window, so memory is flat from
 * there on (a longer run: DURATION_MS=60000 in the children's env shows the same).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPeer, READ_HIGH_WATER_BYTES } from 'peerdeck';

const MESSAGE_BYTES = 256 * 1024;
const SCRIPT = path.join(import.meta.dirname, 'backpressure-peer.mjs');
let root: string;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'peerdeck-bp-'));
  const r = await createPeer({ configDir: path.join(root, 'reader'), port: 0, discovery: false });
  const s = await createPeer({ configDir: path.join(root, 'sender'), port: 0, discovery: false });
  await r.trust.add(s.deviceId, { name: 'sender' });
  await s.trust.add(r.deviceId, { name: 'reader' });
  await Promise.all([r.close(), s.close()]);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function start(env: Record<string, string>, onLine: (o: Record<string, number>) => void): Promise<number | null> {
  const child = spawn(process.execPath, [SCRIPT], { env: { ...process.env, MESSAGE_BYTES: String(MESSAGE_BYTES), ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      onLine(JSON.parse(buf.slice(0, i)) as Record<string, number>);
      buf = buf.slice(i + 1);
    }
  });
  return new Promise((resolve) => child.once('exit', resolve));
}

const tcpMax = (f: string) => Number(readFileSync(`/proc/sys/net/ipv4/${f}`, 'utf8').trim().split(/\s+/)[2]);

it('a slow reader bounds the sender; both stay under 150 MB RSS', { timeout: 60_000 }, async () => {
  let port: number | undefined;
  let reader: Record<string, number> = {};
  let sender: Record<string, number> = {};
  let portSeen!: () => void;
  const gotPort = new Promise<void>((resolve) => (portSeen = resolve));
  const readerExit = start({ ROLE: 'reader', CONFIG_DIR: path.join(root, 'reader') }, (o) => {
    if (o.port) {
      port = o.port;
      portSeen();
    } else reader = o;
  });
  await gotPort;
  const senderExit = start({ ROLE: 'sender', CONFIG_DIR: path.join(root, 'sender'), PEER: `127.0.0.1:${port}` }, (o) => (sender = o));
  expect(await readerExit).toBe(0);
  expect(await senderExit).toBe(0);

  // What can be in flight besides what was read: the reader's queue, the sender's
  // socket buffer (a send resolves below its high-water mark), both kernel buffers.
  const windowBytes = READ_HIGH_WATER_BYTES + 1024 * 1024 + tcpMax('tcp_wmem') + tcpMax('tcp_rmem');
  const allowed = reader.reads! + Math.ceil(windowBytes / MESSAGE_BYTES) + 2;
  console.log(`backpressure: sends=${sender.sends} reads=${reader.reads} allowed=${allowed} senderRss=${(sender.maxRss! / 2 ** 20).toFixed(0)}MB readerRss=${(reader.maxRss! / 2 ** 20).toFixed(0)}MB`);
  expect(reader.reads).toBeGreaterThanOrEqual(4);
  expect(sender.sends).toBeGreaterThanOrEqual(reader.reads!);
  expect((sender.sends! - reader.reads!) * MESSAGE_BYTES).toBeLessThan(2 ** 30 / 32); // in flight: nowhere near the 1 GiB it tried to push
  expect(sender.sends).toBeLessThanOrEqual(allowed);
  expect(sender.maxRss).toBeLessThan(150 * 1024 * 1024);
  expect(reader.maxRss).toBeLessThan(150 * 1024 * 1024);
});
