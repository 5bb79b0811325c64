// `node bench/fsync-batch-probe.mjs [FILES] [BATCH]`: receiver-side durability cost per small file, today's shape (per file: open, write, fsync, close, link, unlink,
// serial) vs batched (write a batch, fsync the batch's files in parallel from the pool, link/unlink, one dir fsync).
import { open, link, unlink, mkdir, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
const N = Number(process.argv[2] ?? 2000), B = Number(process.argv[3] ?? 64);
const base = mkdtempSync(path.join(os.tmpdir(), 'peerdeck-fsync-probe-')), data = randomBytes(4096);
async function writeOne(p, sync) { const fh = await open(p, 'wx'); await fh.write(data, 0, data.length, 0); if (sync) await fh.sync(); return fh; }
async function dirSync(d) { const fh = await open(d, 'r'); await fh.sync(); await fh.close(); }
async function serial(dir) {
  for (let i = 0; i < N; i++) { const part = path.join(dir, '.part', `${i}.part`); const fh = await writeOne(part, true); await fh.close(); await link(part, path.join(dir, `f${i}`)); await unlink(part); }
  await dirSync(dir);
}
async function batched(dir) {
  for (let s = 0; s < N; s += B) {
    const ids = [...Array(Math.min(B, N - s)).keys()].map((k) => s + k);
    const fhs = [];
    for (const i of ids) fhs.push(await writeOne(path.join(dir, '.part', `${i}.part`), false));
    await Promise.all(fhs.map((fh) => fh.sync()));
    await Promise.all(fhs.map((fh) => fh.close()));
    for (const i of ids) { const part = path.join(dir, '.part', `${i}.part`); await link(part, path.join(dir, `f${i}`)); await unlink(part); }
    await dirSync(dir);
  }
}
for (const [name, fn] of [['serial', serial], ['batched', batched], ['serial', serial], ['batched', batched]]) {
  const dir = path.join(base, name); await rm(dir, { recursive: true, force: true }); await mkdir(path.join(dir, '.part'), { recursive: true });
  const c0 = process.cpuUsage(), t0 = performance.now();
  await fn(dir);
  const ms = performance.now() - t0, c = process.cpuUsage(c0);
  console.log(`${name.padEnd(8)} ${N} files: ${(N / ms * 1000).toFixed(0)} files/s, user ${(c.user / N).toFixed(0)} µs/file, sys ${(c.system / N).toFixed(0)} µs/file (this process; jbd2 not counted)`);
}
await rm(base, { recursive: true, force: true });
