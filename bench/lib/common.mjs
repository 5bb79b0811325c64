// Helpers shared by the cases: timing a set of processes, verifying sinks, collecting usage.
import { createHash } from 'node:crypto';
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { sleep } from './proc.mjs';

/** SHA-256 of a file (hex). */
export function sha256File(file) {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file, { highWaterMark: 1 << 20 }).on('data', (d) => h.update(d)).on('error', reject).on('end', () => resolve(h.digest('hex')));
  });
}

/** One digest over a folder tree: relative paths (sorted) and their contents. */
export function treeDigest(dir) {
  const h = createHash('sha256');
  let files = 0;
  let bytes = 0;
  const walk = (rel) => {
    const entries = readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) { h.update(`d ${r}\n`); walk(r); } else if (e.isFile()) {
        const data = readFileSync(path.join(dir, r));
        h.update(`f ${r} ${data.length}\n`); h.update(data); files++; bytes += data.length;
      }
    }
  };
  walk('');
  return { digest: h.digest('hex'), files, bytes };
}

/** Check a received file against the source: size, then SHA-256. Throws on a mismatch. */
export async function verifyFile(received, src) {
  let st;
  try { st = statSync(received); } catch { throw new Error(`received file missing: ${received}`); }
  if (st.size !== src.size) throw new Error(`received ${st.size} bytes, expected ${src.size} (${received})`);
  const d = await sha256File(received);
  if (d !== src.sha256) throw new Error(`SHA-256 mismatch: ${d} vs ${src.sha256} (${received})`);
}

/** Usage of a finished, time-wrapped handle as a plain record. Waits briefly for GNU time to write its file. */
export async function usageOf(h, label = h.name) {
  let u;
  for (let i = 0; i < 50 && !(u = h.usage()); i++) await sleep(10);
  if (!u) return { name: label, missing: true };
  return { name: label, wall: u.wall, user: u.user, sys: u.sys, cpu: +(u.user + u.sys).toFixed(3), rss_mib: +(u.rssKiB / 1024).toFixed(1), note: u.note };
}

/** Fail with the process's own words when it did not exit 0. */
export function mustSucceed(h, res) {
  if (res.code === 0) return;
  const why = res.signal ? `signal ${res.signal}` : `exit ${res.code}`;
  const text = (h.stderrText() || h.stdoutText()).trim().split('\n').slice(-4).join(' | ');
  throw new Error(`${h.name}: ${why}${text ? `: ${text.slice(-500)}` : ''}`);
}

/** Generous per-process deadline for moving `bytes`: 60 s plus 20 MB/s. */
export const deadlineFor = (bytes) => 60_000 + (bytes / 20e6) * 1000;

/**
 * Seconds to make an already-written file durable (`sync FILE` = fsync), run after the timed
 * span of the cases that do not fsync themselves (openssl, scp), so they can also be compared
 * with the ones that do (bare Node, peerdeck) as "MB/s incl. fsync".
 */
export function fsyncSeconds(file) {
  const t = performance.now();
  const r = spawnSync('sync', [file]);
  return r.status === 0 ? (performance.now() - t) / 1000 : undefined;
}
