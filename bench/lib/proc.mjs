// Process plumbing for the benchmark: every measured process runs under
// GNU time (`/usr/bin/time -f '%e %U %S %M'`), which reports wall, user, sys
// and peak RSS of the process *and of every descendant it waited for*.
// All children are tracked so that cleanup() can kill them on exit or Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';

export const TIME_BIN = '/usr/bin/time';
const TIME_FMT = '%e %U %S %M';

const live = new Set();

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Parse GNU time's -o file: the last line is "%e %U %S %M" (earlier lines may say "Command exited with non-zero status N"). */
export function parseTimeFile(file) {
  let text;
  try { text = readFileSync(file, 'utf8'); } catch { return undefined; }
  const lines = text.trim().split('\n');
  const m = /^([\d.]+) ([\d.]+) ([\d.]+) (\d+)$/.exec(lines.at(-1) ?? '');
  if (!m) return undefined;
  return { wall: Number(m[1]), user: Number(m[2]), sys: Number(m[3]), rssKiB: Number(m[4]), note: lines.length > 1 ? lines.slice(0, -1).join(' ') : undefined };
}

/**
 * Start `cmd args` under GNU time. Returns a handle:
 *   { name, child, exited: Promise<{code, signal, t}>, usage(): parsed time output, stdoutText(), stderrText(), onLine(fn) }
 * opts.stdio: [stdin, stdout, stderr] like spawn (default ['ignore', 'pipe', 'pipe']).
 * Output on 'pipe' streams is collected (up to 4 MiB each) and split into lines for onLine listeners.
 */
export function startTimed(name, cmd, args, { timeFile, stdio = ['ignore', 'pipe', 'pipe'], env, cwd } = {}) {
  const child = spawn(TIME_BIN, ['-f', TIME_FMT, '-o', timeFile, cmd, ...args], { stdio, env: env ?? process.env, cwd, detached: true });
  return wrap(name, child, timeFile);
}

/** Same as startTimed, without the time wrapper (for helpers that are not measured). */
export function startPlain(name, cmd, args, { stdio = ['ignore', 'pipe', 'pipe'], env, cwd } = {}) {
  const child = spawn(cmd, args, { stdio, env: env ?? process.env, cwd, detached: true });
  return wrap(name, child, undefined);
}

function wrap(name, child, timeFile) {
  const out = { stdout: [], stderr: [], stdoutLen: 0, stderrLen: 0 };
  const lineFns = [];
  const partial = { stdout: '', stderr: '' };
  for (const which of ['stdout', 'stderr']) {
    const s = child[which];
    if (!s) continue;
    s.on('data', (d) => {
      if (out[`${which}Len`] < 4 << 20) { out[which].push(d); out[`${which}Len`] += d.length; }
      if (lineFns.length === 0 && which === 'stderr') return;
      partial[which] += d.toString('utf8');
      let i;
      while ((i = partial[which].indexOf('\n')) >= 0) {
        const line = partial[which].slice(0, i);
        partial[which] = partial[which].slice(i + 1);
        for (const fn of lineFns) fn(line, which);
      }
    });
  }
  const h = {
    name,
    child,
    pid: child.pid,
    timeFile,
    done: false,
    result: undefined,
    exited: null,
    onLine(fn) { lineFns.push(fn); },
    stdoutText: () => Buffer.concat(out.stdout).toString('utf8'),
    stderrText: () => Buffer.concat(out.stderr).toString('utf8'),
    usage: () => (timeFile ? parseTimeFile(timeFile) : undefined),
    /** Kill the whole process group (the time wrapper and what it runs). */
    kill(sig = 'SIGTERM') { if (!h.done) { try { process.kill(-child.pid, sig); } catch { /* gone */ } } },
    /** Signal only the measured program (GNU time dies on SIGTERM without reporting, so it is spared). */
    signalInner(sig = 'SIGTERM') {
      const pid = h.innerPid();
      if (pid) { try { process.kill(pid, sig); return true; } catch { /* gone */ } }
      return false;
    },
    /** The measured program's pid (the time wrapper's only child), if it is still there. */
    innerPid() {
      if (!timeFile) return child.pid;
      try {
        const kids = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
        return kids.length ? Number(kids[0]) : undefined;
      } catch { return undefined; }
    },
  };
  live.add(h);
  h.exited = new Promise((resolve) => {
    child.on('error', (err) => { h.done = true; live.delete(h); h.result = { code: -1, signal: null, error: err, t: performance.now() }; resolve(h.result); });
    child.on('exit', (code, signal) => {
      h.done = true;
      live.delete(h);
      h.result = { code, signal, t: performance.now() };
      // Let the last piped output arrive before anyone reads it.
      setImmediate(() => resolve(h.result));
    });
  });
  return h;
}

/** Wait for a handle with a deadline; kills it (and rejects) when the deadline passes. */
export async function waitExit(h, ms, what = h.name) {
  let timer;
  const to = new Promise((_, rej) => { timer = setTimeout(() => { h.kill('SIGKILL'); rej(new Error(`${what}: no exit within ${(ms / 1000).toFixed(0)} s`)); }, ms); });
  try { return await Promise.race([h.exited, to]); } finally { clearTimeout(timer); }
}

/** Kill every child still running (process groups), SIGTERM then SIGKILL. */
export async function killAll() {
  const hs = [...live];
  for (const h of hs) h.kill('SIGTERM');
  if (hs.length) await Promise.race([Promise.all(hs.map((h) => h.exited)), sleep(1500)]);
  for (const h of [...live]) h.kill('SIGKILL');
}
export function killAllSync() {
  for (const h of [...live]) h.kill('SIGKILL');
}

/** A free TCP port on 127.0.0.1 (bound and released at once). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** Whether something LISTENs on a TCP port (read from /proc/net/tcp*, so no probe connection is made). */
export function isListening(port) {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(f)) continue;
    const lines = readFileSync(f, 'utf8').split('\n');
    for (let i = 1; i < lines.length; i++) {
      const cols = lines[i].trim().split(/\s+/);
      if (cols.length > 3 && cols[1].endsWith(hex) && cols[3] === '0A') return true;
    }
  }
  return false;
}

/** Poll until the port is listening; fails if `h` exits first or after ms. */
export async function waitListening(port, ms, h) {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    if (isListening(port)) return;
    if (h?.done) throw new Error(`${h.name} exited (code ${h.result?.code}) before listening on ${port}: ${tail(h.stderrText() || h.stdoutText())}`);
    await sleep(3);
  }
  throw new Error(`nothing listening on 127.0.0.1:${port} after ${ms} ms`);
}

/** Run a command to completion (not measured). Throws with its stderr on a non-zero exit unless allowFail. */
export function run(cmd, args, { input, allowFail = false, env, cwd, timeout = 600_000 } = {}) {
  const r = spawnSync(cmd, args, { input, env: env ?? process.env, cwd, encoding: 'utf8', maxBuffer: 64 << 20, timeout });
  if (!allowFail && (r.status !== 0 || r.error)) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`}): ${tail(r.stderr || r.stdout)}`);
  }
  return r;
}

export const tail = (s, n = 600) => { const t = String(s ?? '').trim(); return t.length > n ? `…${t.slice(-n)}` : t; };

/** Children of a pid, recursively (from /proc). */
export function descendants(pid) {
  const out = [];
  const walk = (p) => {
    let kids = [];
    try { kids = readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number); } catch { /* gone */ }
    for (const k of kids) { out.push(k); walk(k); }
  };
  walk(pid);
  return out;
}
