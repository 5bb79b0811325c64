// Running peerdeck as a user would: the built CLI (dist/cli.js), one config dir per side,
// identities pinned to each other out of band, discovery off, a static peer address.
//
// Relies on (issue 4's interface):
//   peerdeck id --config-dir D --name N --json            → {"deviceId": …}
//   peerdeck trust add DEVICE_ID NAME --config-dir D [--auto-accept]
//     headless receivers pin the sender with the default "ask" policy and run `receive --accept`
//     (the brief's command line); the dashboard's receiver pins it with --auto-accept (when
//     `trust --help` lists it; else the harness presses `y` in the offer dialog).
//   peerdeck receive --accept --once --json --config-dir R --downloads DIR --port P --no-discovery
//   peerdeck send DEVICE_ID PATH --json --config-dir S --peer 127.0.0.1:P --no-discovery [--port 0]
//     plus --wait in the resume case only (the receiver is down for a moment there).
//   JSON events (one per line on stdout): transfer-progress {id, bytes, total},
//   transfer-done {id, direction, paths|path, bytes, bytesOnWire}, transfer-failed {id, code, reason}
//   exit 0 from send once the receiver confirmed the file verified and published; receive --once exits after one transfer.
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { freePort, run, sleep, startTimed, tail, waitListening } from './proc.mjs';
import { usageOf } from './common.mjs';

export function probePeerdeck(repo) {
  const cli = path.join(repo, 'dist', 'cli.js');
  if (!existsSync(cli)) return { skip: 'peerdeck not built (run npm run build)' };
  const help = (cmd) => {
    const r = run(process.execPath, [cli, ...cmd, '--help'], { allowFail: true, timeout: 20_000 });
    return r.status === 0 ? `${r.stdout}\n${r.stderr}` : undefined;
  };
  const send = help(['send']);
  const receive = help(['receive']);
  if (!send || !receive) return { skip: 'peerdeck send/receive not built yet' };
  const trust = help(['trust']) ?? '';
  const has = (text, flag) => new RegExp(`(^|\\s)${flag}(\\s|=|$)`, 'm').test(text);
  const caps = {
    cli,
    sendPort: has(send, '--port'),
    sendWait: has(send, '--wait'),
    sendDiscovery: has(send, '--no-discovery') || has(send, '--discovery'),
    receiveDiscovery: has(receive, '--no-discovery') || has(receive, '--discovery'),
    autoAccept: has(trust, '--auto-accept'),
  };
  for (const f of ['--accept', '--once', '--downloads', '--port']) if (!has(receive, f)) return { skip: `peerdeck receive has no ${f} flag yet` };
  if (!has(send, '--peer')) return { skip: 'peerdeck send has no --peer flag yet' };
  return caps;
}

/** Template identities, made once: S trusts R; R trusts S (auto-accept when the flag exists). Copied per run. */
export function makeIdentities(caps, dir) {
  const S = path.join(dir, 'sender-template');
  const R = path.join(dir, 'receiver-template');
  const id = (d, name) => JSON.parse(run(process.execPath, [caps.cli, 'id', '--config-dir', d, '--name', name, '--json']).stdout.trim().split('\n').at(-1)).deviceId;
  const sId = id(S, 'bench-sender');
  const rId = id(R, 'bench-receiver');
  run(process.execPath, [caps.cli, 'trust', 'add', rId, 'bench-receiver', '--config-dir', S]);
  run(process.execPath, [caps.cli, 'trust', 'add', sId, 'bench-sender', '--config-dir', R]);
  // The dashboard's receiver: the same identity, its pin of the sender on auto-accept.
  const Rauto = path.join(dir, 'receiver-auto-template');
  cpSync(R, Rauto, { recursive: true });
  if (caps.autoAccept) run(process.execPath, [caps.cli, 'trust', 'add', sId, 'bench-sender', '--auto-accept', '--config-dir', Rauto]);
  return { S, R, Rauto, sId, rId };
}

/** Fresh copies of the template config dirs and an empty downloads folder for one run. */
export function freshDirs(ctx, tag, { auto = false } = {}) {
  const base = path.join(ctx.dirs.sink, `pd-${tag}`);
  rmSync(base, { recursive: true, force: true });
  mkdirSync(base, { recursive: true });
  const S = path.join(base, 'S');
  const R = path.join(base, 'R');
  cpSync(ctx.ids.S, S, { recursive: true });
  cpSync(auto ? ctx.ids.Rauto : ctx.ids.R, R, { recursive: true });
  return { base, S, R, downloads: path.join(base, 'downloads') };
}

export function receiverArgs(caps, d, port) {
  return [caps.cli, 'receive', '--accept', '--once', '--json', '--config-dir', d.R, '--downloads', d.downloads, '--port', String(port), ...(caps.receiveDiscovery ? ['--no-discovery'] : [])];
}

export function dashboardArgs(caps, d, port) {
  return [caps.cli, '--config-dir', d.R, '--downloads', d.downloads, '--port', String(port), '--no-discovery'];
}

export function startSender(ctx, d, port, what, { wait = false } = {}) {
  const caps = ctx.pd;
  const args = [caps.cli, 'send', ctx.ids.rId, what, '--json', '--config-dir', d.S, '--peer', `127.0.0.1:${port}`,
    ...(caps.sendDiscovery ? ['--no-discovery'] : []), ...(caps.sendPort ? ['--port', '0'] : []), ...(wait && caps.sendWait ? ['--wait'] : [])];
  return stampEvents(startTimed('peerdeck send', process.execPath, args, { timeFile: ctx.timeFile('pd-send') }));
}

/** Record when each event type is first printed (harness clock), in h.eventTimes. */
function stampEvents(h) {
  h.eventTimes = {};
  h.onLine((line, which) => {
    if (which !== 'stdout') return;
    const m = /"type":"([\w-]+)"/.exec(line);
    if (m && !(m[1] in h.eventTimes)) h.eventTimes[m[1]] = performance.now();
  });
  return h;
}

/** Where the time went, in seconds from t0: sender's transfer-started and transfer-done events, and each exit. */
export function phases(t0, snd, rcv) {
  const s = (t) => (t === undefined ? undefined : +((t - t0) / 1000).toFixed(3));
  return {
    transfer_started_s: s(snd.eventTimes?.['transfer-started']),
    sender_transfer_done_s: s(snd.eventTimes?.['transfer-done']),
    receiver_transfer_done_s: s(rcv?.eventTimes?.['transfer-done']),
    sender_exit_s: s(snd.result?.t),
    receiver_exit_s: s(rcv?.result?.t),
  };
}

/** Seconds from t0 to the sender's first transfer-started event (start-up, session, offer, accept). */
export function startupSeconds(snd, t0) {
  const t = snd.eventTimes?.['transfer-started'];
  return t === undefined ? undefined : +((t - t0) / 1000).toFixed(3);
}

export function startReceiver(ctx, d, port, name = 'peerdeck receive') {
  return stampEvents(startTimed(name, process.execPath, receiverArgs(ctx.pd, d, port), { timeFile: ctx.timeFile('pd-receive') }));
}

/** JSON events printed by a handle so far. */
export function events(h) {
  const out = [];
  for (const line of h.stdoutText().split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    try { out.push(JSON.parse(t)); } catch { /* not JSON */ }
  }
  return out;
}

/** Where the receiver says the payload landed (absolute), or the default under downloads. */
export function landedPath(rcvEvents, d, name) {
  const done = rcvEvents.filter((e) => e.type === 'transfer-done').at(-1);
  const p = done?.paths?.[0] ?? done?.path;
  if (typeof p === 'string') {
    const first = p.split('/')[0];
    // For a folder, paths are the files inside it: the folder is their first component.
    return path.resolve(d.downloads, name && first === name ? name : p);
  }
  return path.join(d.downloads, name);
}

export function describeFailure(h) {
  const ev = events(h).filter((e) => e.type === 'transfer-failed' || e.type === 'error').at(-1);
  if (ev) return JSON.stringify(ev);
  const last = events(h).filter((e) => e.type !== 'transfer-progress').at(-1);
  const err = tail(h.stderrText(), 300).replace(/\s*\n\s*/g, ' | ');
  return `${err ? `stderr: ${err}; ` : ''}last event: ${last ? JSON.stringify(last).slice(0, 200) : 'none'}`;
}

/**
 * Wait for a sender and a `receive --once` to finish a transfer. Whichever fails first ends the
 * other; after one succeeds the other gets `graceMs` to exit too. Returns both exit results.
 */
export async function waitTransfer(rcv, snd, deadlineMs, { graceMs = 15_000, stopDoneReceiver = false } = {}) {
  let timer;
  const deadline = new Promise((resolve) => { timer = setTimeout(() => resolve('deadline'), deadlineMs); });
  try {
    const first = await Promise.race([rcv.exited.then(() => rcv), snd.exited.then(() => snd), deadline]);
    if (first === 'deadline') throw new Error(`no exit within ${(deadlineMs / 1000).toFixed(0)} s (receiver ${rcv.done ? `exited ${rcv.result.code}` : 'running'}, sender ${snd.done ? `exited ${snd.result.code}` : 'running'}); sender: ${describeFailure(snd)}`);
    const other = first === rcv ? snd : rcv;
    if (first.result.code !== 0) {
      other.kill('SIGTERM');
      await Promise.race([other.exited, sleep(3000)]);
      throw new Error(`${first.name} exited ${first.result.signal ?? first.result.code}: ${describeFailure(first)}`);
    }
    const wait = stopDoneReceiver && other === rcv ? 3000 : graceMs;
    const r = await Promise.race([other.exited, sleep(wait).then(() => undefined)]);
    if (!r && stopDoneReceiver && other === rcv && events(rcv).some((e) => e.type === 'transfer-done' && e.direction === 'receive')) {
      // It received the file but stays up (see the caller): stop it like Ctrl-C would; timing ends at the sender's exit.
      if (!rcv.signalInner('SIGTERM')) rcv.kill('SIGTERM');
      await Promise.race([rcv.exited, sleep(5000)]);
      return { rcv: { ...(rcv.result ?? {}), t: snd.result.t, stoppedByHarness: true }, snd: snd.result };
    }
    if (!r) { other.kill('SIGTERM'); throw new Error(`${other.name} did not exit within ${graceMs / 1000} s after ${first.name} finished: ${describeFailure(other)}`); }
    if (r.code !== 0) throw new Error(`${other.name} exited ${r.signal ?? r.code}: ${describeFailure(other)}`);
    return { rcv: rcv.result, snd: snd.result };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One timed run of cases 4 and 7a: a fresh `receive --accept --once`, once it listens a `send` of
 * `what`, both waited for, then `verify(landedPath)` (outside the span). Both processes are killed
 * and the run's dirs removed afterwards, whatever happened.
 */
export async function sendReceiveOnce(ctx, tag, what, deadlineMs, verify) {
  const d = freshDirs(ctx, tag);
  const port = await freePort();
  const t0 = performance.now();
  const rcv = startReceiver(ctx, d, port);
  let snd;
  try {
    await waitListening(port, 20_000, rcv);
    snd = startSender(ctx, d, port, what);
    const { rcv: a, snd: b } = await waitTransfer(rcv, snd, deadlineMs);
    const t1 = Math.max(a.t, b.t);
    await verify(landedPath(events(rcv), d, path.basename(what)));
    return {
      span: [t0, t1],
      wall_s: (t1 - t0) / 1000,
      procs: [await usageOf(rcv), await usageOf(snd)],
      senderEvents: events(snd),
      extra: { to_transfer_started_s: startupSeconds(snd, t0), phases: phases(t0, snd, rcv) },
    };
  } finally {
    rcv.kill('SIGKILL');
    snd?.kill('SIGKILL');
    rmSync(d.base, { recursive: true, force: true });
  }
}
