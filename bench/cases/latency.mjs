// Case 8: send latency for a 1 KiB file, launch of the sending command → the file published
// under its final name in the receiver's downloads folder (polled every 1 ms), three ways:
//   8a `peerdeck send` with an engine already running for the sender (`peerdeck daemon`,
//      its session to the receiver up: one untimed send through it first), so `send` hands
//      the job over the control socket;
//   8b `peerdeck send` with no engine for the sender: it starts a private one (identity,
//      TLS session, offer/accept) just for the job;
//   8c `scp` of the same file to a private sshd (already listening).
// The receiver (`receive --accept`, not --once) is started and listening before the clock
// starts, and so are the daemon and sshd. Only the sending command is measured (GNU time).
// `wall_s` is launch → published; `extra.exit_s` is launch → the sending command's exit.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { freePort, run, sleep, startTimed, waitExit, waitListening } from '../lib/proc.mjs';
import { mustSucceed, sha256File, usageOf, verifyFile } from '../lib/common.mjs';
import { events, freshDirs, receiverArgs, startSender } from '../lib/peerdeck.mjs';
import { scpArgs, startSshd, stopSshd } from '../lib/sshd.mjs';
import scpCase from './scp.mjs';

const SIZE = 1024;
const DEADLINE_MS = 30_000;

/** The 1 KiB source (and a second one for the daemon's untimed first send), made once. */
async function ensureSource(ctx) {
  if (ctx.latencySource) return ctx.latencySource;
  const dir = path.join(ctx.dirs.src, 'latency');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'note-1k.txt');
  const warm = path.join(dir, 'warm-1k.txt');
  writeFileSync(file, randomBytes(SIZE));
  writeFileSync(warm, randomBytes(SIZE));
  ctx.latencySource = { path: file, warm, size: SIZE, sha256: await sha256File(file) };
  return ctx.latencySource;
}

/** Resolve with the time `file` first exists (polled every 1 ms), or undefined after ms. */
async function whenExists(file, ms, stop) {
  const end = performance.now() + ms;
  while (performance.now() < end && !stop()) {
    if (existsSync(file)) return performance.now();
    await sleep(1);
  }
  return existsSync(file) ? performance.now() : undefined;
}

/** Launch `h` (already started at t0), wait for `landed` and for its exit. */
async function timeUntilPublished(h, t0, landed) {
  const published = whenExists(landed, DEADLINE_MS, () => h.done && h.result?.code !== 0);
  const r = await waitExit(h, DEADLINE_MS);
  mustSucceed(h, r);
  const t1 = await Promise.race([published, sleep(5000).then(() => undefined)]);
  if (t1 === undefined) throw new Error(`${h.name} exited 0 but ${landed} never appeared`);
  return { t1, exit: r.t };
}

async function startReceive(ctx, d) {
  const port = await freePort();
  const rcv = startTimed('peerdeck receive', process.execPath, receiverArgs(ctx.pd, d, port).filter((a) => a !== '--once'), { timeFile: ctx.timeFile('lat-receive') });
  await waitListening(port, 20_000, rcv);
  return { rcv, port };
}

async function peerdeckLatency(ctx, src, tag, withEngine) {
  const d = freshDirs(ctx, `lat-${tag}`);
  const { rcv, port } = await startReceive(ctx, d);
  let snd;
  let daemonUp = false;
  try {
    if (withEngine) {
      // The sender's engine: a daemon dialling the receiver; one untimed send brings the session up.
      const daemonArgs = [ctx.pd.cli, 'daemon', '--config-dir', d.S, '--port', '0', '--no-discovery', '--peer', `127.0.0.1:${port}`, '--json'];
      run(process.execPath, daemonArgs, { timeout: 30_000 });
      daemonUp = true;
      const warm = startSender(ctx, d, port, src.warm);
      mustSucceed(warm, await waitExit(warm, DEADLINE_MS));
    }
    const landed = path.join(d.downloads, path.basename(src.path));
    const t0 = performance.now();
    snd = startSender(ctx, d, port, src.path);
    const { t1, exit } = await timeUntilPublished(snd, t0, landed);
    const started = events(snd).some((e) => e.type === 'transfer-done');
    await verifyFile(landed, src);
    return {
      span: [t0, t1],
      wall_s: (t1 - t0) / 1000,
      bytes: src.size,
      procs: [await usageOf(snd)],
      extra: { exit_s: +((exit - t0) / 1000).toFixed(3), engine: withEngine ? 'daemon' : 'none', sender_saw_transfer_done: started },
    };
  } finally {
    snd?.kill('SIGKILL');
    if (daemonUp) run(process.execPath, [ctx.pd.cli, 'stop', '--config-dir', d.S], { allowFail: true, timeout: 15_000 });
    rcv.kill('SIGKILL');
    await rcv.exited;
    rmSync(d.base, { recursive: true, force: true });
  }
}

const peerdeckCase = (id, n, withEngine) => ({
  id,
  n,
  label: `peerdeck send 1 KiB, launch → published, ${withEngine ? 'engine (daemon) running, session up' : 'no engine running'}`,
  short: `send 1 KiB latency, ${withEngine ? 'daemon running' : 'no engine'}`,
  needsPeerdeck: true,
  ownSource: true,
  latency: true,
  async setup(ctx) {
    if (ctx.pdSkip) return { skip: ctx.pdSkip };
    await ensureSource(ctx);
    return undefined;
  },
  source: (ctx) => ctx.latencySource,
  runOnce: (ctx, src, tag) => peerdeckLatency(ctx, src, tag, withEngine),
});

export const latencyEngine = peerdeckCase('latency_engine', '8a', true);
export const latencyNoEngine = peerdeckCase('latency_noengine', '8b', false);

export const latencyScp = {
  id: 'latency_scp',
  n: '8c',
  label: 'scp 1 KiB, launch → file at its final name',
  short: 'scp 1 KiB latency',
  ownSource: true,
  latency: true,
  async setup(ctx) {
    const s = await scpCase.setup(ctx);
    if (s?.skip) return s;
    await ensureSource(ctx);
    return undefined;
  },
  source: (ctx) => ctx.latencySource,
  async runOnce(ctx, src, tag) {
    const dest = path.join(ctx.dirs.sink, `lat-scp-${tag}`);
    rmSync(dest, { recursive: true, force: true });
    mkdirSync(dest, { recursive: true });
    const sshd = await startSshd(ctx, ctx.sshd);
    let scp;
    try {
      const landed = path.join(dest, path.basename(src.path));
      const t0 = performance.now();
      scp = startTimed('scp', 'scp', scpArgs(ctx.sshd, sshd.port, [], src.path, landed), { timeFile: ctx.timeFile('lat-scp') });
      const { t1, exit } = await timeUntilPublished(scp, t0, landed);
      const server = await stopSshd(sshd);
      await verifyFile(landed, src);
      return { span: [t0, t1], wall_s: (t1 - t0) / 1000, bytes: src.size, procs: [await usageOf(scp), server], extra: { exit_s: +((exit - t0) / 1000).toFixed(3) } };
    } finally {
      scp?.kill('SIGKILL');
      sshd.h.kill('SIGKILL');
      rmSync(dest, { recursive: true, force: true });
    }
  },
};
