// Case 5: case 4 with the receiver's dashboard open in a pseudo-terminal instead of `receive`.
// Bare `peerdeck` starts the engine as a background daemon and attaches to it over the control
// socket (the default since issue 12), so the dashboard and the daemon are measured separately:
// the dashboard under GNU time, the daemon from /proc (utime+stime, VmHWM) just before it stops.
// extra.snapshot_bytes_per_s: what the dashboard read (/proc/PID/io rchar: the control socket,
// as it reads nothing else once drawn) per second between the sender's start and its exit.
// The dashboard runs in
// a private tmux server (-L), a 120×40 window, `CI=true peerdeck --config-dir R --downloads DIR
// --port P --no-discovery` under GNU time. The offer is accepted by the receiver's pin policy
// (auto-accept) when `trust add --auto-accept` exists, otherwise by pressing `y` when capture-pane
// shows the "Incoming file" dialog. Timed from the dashboard's start to the sender's exit (the
// sender exits 0 once the receiver has published the file), i.e. time to publish; then `q` stops
// the dashboard (untimed) so GNU time can report its CPU and peak RSS.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { descendants, freePort, run, sleep, waitExit, waitListening, parseTimeFile } from '../lib/proc.mjs';
import { deadlineFor, mustSucceed, usageOf, verifyFile } from '../lib/common.mjs';
import { dashboardArgs, freshDirs, phases, startSender, startupSeconds } from '../lib/peerdeck.mjs';
import { TIME_BIN } from '../lib/proc.mjs';

const q = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

const CLK_TCK = 100;
/** utime+stime in seconds and peak RSS in MiB of a live process, from /proc. */
function procUsage(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const user = Number(stat[11]) / CLK_TCK;
    const sys = Number(stat[12]) / CLK_TCK;
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { user, sys, rss_mib: hwm ? +(Number(hwm[1]) / 1024).toFixed(1) : undefined };
  } catch {
    return undefined;
  }
}
function rchar(pid) {
  try {
    return Number(/rchar:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))[1]);
  } catch {
    return undefined;
  }
}
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };


export default {
  id: 'dashboard',
  n: 5,
  label: 'case 4 with the receiver\'s dashboard open in tmux (time to publish)',
  short: 'peerdeck send → dashboard (tmux)',
  needsPeerdeck: true,
  async setup(ctx) {
    if (ctx.pdSkip) return { skip: ctx.pdSkip };
    if (run('which', ['tmux'], { allowFail: true }).status !== 0) return { skip: 'tmux not installed' };
    ctx.tmuxSocket = `peerdeck-bench-${process.pid}`;
    return undefined;
  },
  tmux(ctx, ...args) { return run('tmux', ['-L', ctx.tmuxSocket, ...args], { allowFail: true }); },
  async runOnce(ctx, src, tag) {
    const tmux = (...a) => this.tmux(ctx, ...a);
    const d = freshDirs(ctx, `p5-${tag}`, { auto: true });
    const port = await freePort();
    const timeFile = ctx.timeFile('dashboard');
    const session = `dash-${tag}`;
    const inner = ['env', 'CI=true', process.execPath, ...dashboardArgs(ctx.pd, d, port)];
    const cmd = `exec ${TIME_BIN} -f '%e %U %S %M' -o ${q(timeFile)} ${inner.map(q).join(' ')} 2>${q(path.join(d.base, 'dashboard.stderr'))}`;
    const t0 = performance.now();
    const r = tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '40', cmd);
    if (r.status !== 0) throw new Error(`tmux new-session failed: ${r.stderr}`);
    let snd;
    let daemonPid;
    let pressed = false;
    // On failure, say what the dashboard showed and printed.
    const explain = (err) => {
      const pane = (tmux('capture-pane', '-p', '-t', session).stdout ?? '').split('\n').filter((l) => l.trim()).slice(-8).join(' | ');
      let stderr = '';
      try { stderr = readFileSync(path.join(d.base, 'dashboard.stderr'), 'utf8').trim().slice(-300); } catch { /* none */ }
      err.message += `${pane ? `; screen: ${pane.slice(0, 600)}` : ''}${stderr ? `; dashboard stderr: ${stderr}` : ''}`;
      return err;
    };
    try {
      await waitListening(port, 20_000).catch((err) => { throw explain(err); });
      // The engine the dashboard started in the background, and the dashboard's own node process.
      const st = spawnSync(process.execPath, [ctx.pd.cli, 'status', '--json', '--config-dir', d.R], { encoding: 'utf8' });
      try { daemonPid = JSON.parse(st.stdout.trim().split('\n')[0]).pid; } catch { daemonPid = undefined; }
      const panePid = Number(tmux('display-message', '-p', '-t', session, '#{pane_pid}').stdout);
      const dashPid = descendants(panePid).find((p) => p !== daemonPid);
      const read0 = rchar(dashPid);
      const s0 = performance.now();
      snd = startSender(ctx, d, port, src.path);
      // Without an auto-accept pin, answer the offer dialog with `y` when it shows.
      const watcher = (async () => {
        if (ctx.pd.autoAccept) return;
        while (!snd.done) {
          const pane = tmux('capture-pane', '-p', '-t', session).stdout ?? '';
          if (/Incoming file/.test(pane)) { tmux('send-keys', '-t', session, 'y'); pressed = true; return; }
          await sleep(25);
        }
      })();
      const b = await waitExit(snd, deadlineFor(src.size)).catch((err) => { throw explain(err); });
      const t1 = b.t;
      await watcher;
      try { mustSucceed(snd, b); } catch (err) { throw explain(err); }
      const read1 = rchar(dashPid);
      const snapshotRate = read0 !== undefined && read1 !== undefined ? Math.round((read1 - read0) / ((t1 - s0) / 1000)) : undefined;
      const du5 = daemonPid ? procUsage(daemonPid) : undefined;
      if (snapshotRate !== undefined) console.log(`  dashboard ${tag}: read ${snapshotRate} B/s from the daemon's control socket while the transfer ran (rchar)`);
      // Stop the dashboard: q (answer y if it asks), else SIGTERM the pane's process.
      tmux('send-keys', '-t', session, 'q');
      for (let i = 0; i < 100 && !parseTimeFile(timeFile); i++) {
        await sleep(50);
        if (i === 40) tmux('send-keys', '-t', session, 'y');
        if (i === 70) { const pid = Number(tmux('display-message', '-p', '-t', session, '#{pane_pid}').stdout); for (const k of descendants(pid).slice(0, 1)) try { process.kill(k, 'SIGTERM'); } catch { /* gone */ } }
      }
      for (let i = 0; daemonPid && alive(daemonPid) && i < 100; i++) await sleep(50);
      if (daemonPid && alive(daemonPid)) try { process.kill(daemonPid, 'SIGTERM'); } catch { /* gone */ }
      const du = parseTimeFile(timeFile);
      const landed = path.join(d.downloads, path.basename(src.path));
      if (!existsSync(landed)) throw new Error(`dashboard: nothing published at ${landed}`);
      await verifyFile(landed, src);
      const dash = du ? { name: 'peerdeck dashboard', wall: du.wall, user: du.user, sys: du.sys, cpu: +(du.user + du.sys).toFixed(3), rss_mib: +(du.rssKiB / 1024).toFixed(1), note: du.note } : { name: 'peerdeck dashboard', missing: true };
      const daemon = du5 ? { name: 'peerdeck daemon (attached engine)', user: du5.user, sys: du5.sys, cpu: +(du5.user + du5.sys).toFixed(3), rss_mib: du5.rss_mib, note: 'from /proc just before q' } : { name: 'peerdeck daemon (attached engine)', missing: true };
      return { span: [t0, t1], wall_s: (t1 - t0) / 1000, bytes: src.size, procs: [dash, daemon, await usageOf(snd)], extra: { to_transfer_started_s: startupSeconds(snd, t0), phases: phases(t0, snd), accepted_by: ctx.pd.autoAccept ? 'auto-accept pin' : pressed ? 'y key' : 'unknown', snapshot_bytes_per_s: snapshotRate } };
    } finally {
      if (daemonPid && alive(daemonPid)) try { process.kill(daemonPid, 'SIGKILL'); } catch { /* gone */ }
      snd?.kill('SIGKILL');
      tmux('kill-session', '-t', session);
      rmSync(d.base, { recursive: true, force: true });
    }
  },
  async teardown(ctx) {
    if (ctx.tmuxSocket) this.tmux(ctx, 'kill-server');
  },
};
