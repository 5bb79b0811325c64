#!/usr/bin/env node
// `npm run bench`: peerdeck against the machine's limits, measured in one run.
// See bench/README.md for what each case measures; `npm run bench -- --help` for flags.
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, USAGE } from './lib/args.mjs';
import { makeCerts } from './lib/certs.mjs';
import { treeDigest } from './lib/common.mjs';
import { describeMachine, pageCacheResidency, pageReporting, prefault, readOnce, touchMemory } from './lib/machine.mjs';
import { makeIdentities, probePeerdeck } from './lib/peerdeck.mjs';
import { killAll, killAllSync, run, TIME_BIN } from './lib/proc.mjs';
import { ratio, summarize, table } from './lib/report.mjs';
import { checkBar, inFlightWindow } from './lib/bar.mjs';
import { quietVm } from './lib/vm-quiet.mjs';
import { machineCpuBetween, reportedMiBBetween, startCpuMonitor, stopCpuMonitor } from './lib/cpu-monitor.mjs';
import opensslCase from './cases/openssl.mjs';
import nodeCase from './cases/node-pipe.mjs';
import scpCase from './cases/scp.mjs';
import peerdeckCase from './cases/peerdeck.mjs';
import dashboardCase from './cases/dashboard.mjs';
import resumeCase from './cases/resume.mjs';
import { filesPeerdeck, filesScp } from './cases/files.mjs';
import { runPreauthBench } from './cases/preauth.mjs';
import { runLibBench } from './cases/lib-messages.mjs';
import { latencyEngine, latencyNoEngine, latencyScp } from './cases/latency.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const ORDER = [opensslCase, nodeCase, scpCase, peerdeckCase, dashboardCase, resumeCase, filesPeerdeck, filesScp, latencyEngine, latencyNoEngine, latencyScp];
// Right before every timed run, this many times the payload is written into /dev/shm and deleted (see README).
const PREFAULT_FACTOR = Number(process.env.PD_BENCH_PREFAULT_FACTOR ?? 2);
const selectorOf = (k) => (k.id.startsWith('files_') ? 'files' : k.id.startsWith('latency_') ? 'latency' : k.id);

let opts;
try { opts = parseArgs(process.argv.slice(2)); } catch (err) { process.stderr.write(`bench: ${err.message}\n\n${USAGE}`); process.exit(2); }
if (opts.help) { process.stdout.write(USAGE); process.exit(0); }
// The pre-auth case measures latency, not throughput: it runs on its own, before the table.
if (opts.cases.includes('preauth')) {
  opts.cases = opts.cases.filter((c) => c !== 'preauth');
  const preauth = await runPreauthBench({ repo: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'), opts, log: (m) => process.stdout.write(`${m}\n`) })
    .catch((err) => { process.stderr.write(`bench: preauth: ${err.stack ?? err.message}\n`); process.exit(1); });
  const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results', 'preauth.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ generated: new Date().toISOString(), ...preauth }, null, 2)}\n`);
  if (!opts.cases.length) process.exit(0);
}
// The library's message throughput (1 KiB / 1 MiB bytes messages beside a bare Node TLS pipe): its own table too.
if (opts.cases.includes('lib')) {
  opts.cases = opts.cases.filter((c) => c !== 'lib');
  const lib = await runLibBench({ repo: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'), opts, log: (m) => process.stdout.write(`${m}\n`) })
    .catch((err) => { process.stderr.write(`bench: lib: ${err.stack ?? err.message}\n`); process.exit(1); });
  const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results', 'lib.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ generated: new Date().toISOString(), ...lib }, null, 2)}\n`);
  if (!opts.cases.length) process.exit(0);
}

const log = (msg) => process.stdout.write(`${msg}\n`);
const fmtBytes = (n) => (n >= 2 ** 30 ? `${+(n / 2 ** 30).toFixed(2)} GiB` : n >= 2 ** 20 ? `${+(n / 2 ** 20).toFixed(1)} MiB` : `${+(n / 2 ** 10).toFixed(1)} KiB`);

// ---- temp dir and cleanup (normal exit, errors, Ctrl-C) ----
const tmp = mkdtempSync(path.join(os.tmpdir(), 'peerdeck-bench-run-'));
const dirs = { src: path.join(tmp, 'src'), sink: path.join(tmp, 'sink'), time: path.join(tmp, 'time') };
for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
let timeSeq = 0;
const ctx = { repo, tmp, dirs, opts, log, timeFile: (name) => path.join(dirs.time, `${String(++timeSeq).padStart(5, '0')}-${name.replace(/[^\w.-]/g, '_')}.time`) };

let cleaned = false;
let vm;
function cleanupSync() {
  if (cleaned) return;
  cleaned = true;
  killAllSync();
  vm?.restore();
  if (ctx.tmuxSocket) run('tmux', ['-L', ctx.tmuxSocket, 'kill-server'], { allowFail: true });
  if (!opts.keep) rmSync(tmp, { recursive: true, force: true });
  else log(`kept ${tmp}`);
}
process.on('exit', cleanupSync);
for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.on(sig, () => {
    process.stderr.write(`\nbench: ${sig}, cleaning up…\n`);
    killAll().finally(() => { cleanupSync(); process.exit(code); });
  });
}

async function main() {
  if (!run('which', [TIME_BIN], { allowFail: true }).stdout) {
    if (process.getuid?.() === 0) {
      log(`${TIME_BIN} missing: apt-get install -y time …`);
      run('apt-get', ['install', '-y', '-qq', 'time'], { allowFail: true, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    }
    if (!run('which', [TIME_BIN], { allowFail: true }).stdout) throw new Error(`${TIME_BIN} (GNU time) is needed: apt-get install time`);
  }
  if (!run('which', ['openssl'], { allowFail: true }).stdout) throw new Error('openssl CLI is needed');

  const machine = { ...describeMachine(), page_reporting: pageReporting() };
  vm = opts.quietVm ? quietVm() : undefined;
  machine.quiet_vm = vm ? vm.changes : 'off (--no-quiet-vm)';
  log('peerdeck benchmark');
  log(`machine: ${machine.cores} cores, ${machine.model}; AES-NI ${machine.aes_ni ? 'yes' : 'NO'}, SHA-NI ${machine.sha_ni ? 'yes' : 'NO'}${machine.vaes ? ', VAES' : ''}${machine.avx2 ? ', AVX2' : ''}; ${machine.mem_total_gib} GiB RAM (${machine.mem_available_gib} available); ${machine.os}, kernel ${machine.kernel}`);
  log(`versions: Node ${machine.node} (OpenSSL ${machine.node_openssl}), ${machine.openssl_cli}, ${machine.openssh ?? 'no OpenSSH'}; /tmp on ${machine.tmp_fs}; load ${machine.loadavg.join(' ')}`);
  if (vm?.changes.length) log(`memory: for this run (restored at exit): ${vm.changes.map((c) => `${c.file.replace(/^\/sys\//, '')} ${c.from} → ${c.to}`).join('; ')} (--no-quiet-vm to leave them)`);
  else if (opts.quietVm) log('memory: nothing to quiet (no DAMON kdamond on, no page reporting delay to set, or not root)');
  if (machine.page_reporting.active) log(`memory: the kernel reports free pages to the hypervisor (page_reporting order ${machine.page_reporting.order}): freed memory turns fresh (slow to fault, ~440 MB/s) again; ${opts.prefault ? `so ${PREFAULT_FACTOR} × the payload is written and deleted in /dev/shm right before every timed run` : '--no-prefault: runs start with whatever memory the last one left'}`);
  log(`payload ${fmtBytes(opts.size)} × ${opts.runs} run(s); ${opts.files} files of ${fmtBytes(opts.fileSize)}; temp dir ${tmp}`);

  // ---- which cases ----
  const wanted = ORDER.filter((k) => opts.cases.includes(selectorOf(k)));
  const skipped = {};
  if (wanted.some((k) => k.needsPeerdeck)) {
    const caps = probePeerdeck(repo);
    if (caps.skip) ctx.pdSkip = caps.skip;
    else {
      ctx.pd = caps;
      try { ctx.ids = makeIdentities(caps, path.join(tmp, 'ids')); } catch (err) { ctx.pdSkip = `could not create and pin identities: ${err.message}`; }
      if (ctx.pd && !ctx.pdSkip) log(`peerdeck: send/receive found; pin policy ${caps.autoAccept ? 'trust add --auto-accept' : 'ask (receive --accept; dashboard answers y)'}; send ${caps.sendWait ? 'has' : 'has no'} --wait, ${caps.sendPort ? 'has' : 'has no'} --port`);
    }
  }
  ctx.certs = makeCerts(path.join(tmp, 'certs'));
  const active = [];
  for (const k of wanted) {
    let s;
    try { s = await k.setup(ctx); } catch (err) { s = { skip: `setup failed: ${err.message}` }; }
    if (s?.skip) { skipped[k.id] = s.skip; log(`case ${k.n} (${k.id}) skipped: ${s.skip}`); } else active.push(k);
  }

  // ---- sources ----
  const makeSource = (name, size) => {
    const file = path.join(dirs.src, name);
    const fd = openSync(file, 'w');
    const cipher = createCipheriv('aes-128-ctr', Buffer.alloc(16, 7), Buffer.alloc(16, 0));
    const zero = Buffer.alloc(4 << 20);
    const h = createHash('sha256');
    for (let done = 0; done < size;) {
      const n = Math.min(zero.length, size - done);
      const block = cipher.update(n === zero.length ? zero : zero.subarray(0, n));
      h.update(block);
      writeSync(fd, block);
      done += n;
    }
    closeSync(fd);
    return { path: file, size, sha256: h.digest('hex') };
  };
  const makeTree = (name, files, size) => {
    const dir = path.join(dirs.src, name);
    mkdirSync(dir, { recursive: true });
    const data = randomBytes(files * size);
    const width = String(files - 1).length;
    for (let i = 0; i < files; i++) writeFileSync(path.join(dir, `f${String(i).padStart(width, '0')}.bin`), data.subarray(i * size, (i + 1) * size));
    return { path: dir, ...treeDigest(dir) };
  };
  const needFile = active.some((k) => !k.folder && !k.ownSource);
  const needTree = active.some((k) => k.folder);
  const warmSize = Math.min(opts.size, opts.quick ? 8 * 2 ** 20 : 64 * 2 ** 20);
  let t = performance.now();
  const source = needFile ? makeSource('payload.bin', opts.size) : undefined;
  const warmSource = needFile && opts.warmup ? makeSource('warmup.bin', warmSize) : undefined;
  const tree = needTree ? makeTree(`files-${opts.files}`, opts.files, opts.fileSize) : undefined;
  const warmTree = needTree && opts.warmup ? makeTree('warmup-files', Math.min(opts.files, 200), opts.fileSize) : undefined;
  if (source) log(`source: ${fmtBytes(source.size)} of AES-128-CTR keystream, SHA-256 ${source.sha256.slice(0, 16)}… (made in ${((performance.now() - t) / 1000).toFixed(1)} s)`);
  if (tree) log(`folder: ${tree.files} files, ${fmtBytes(tree.bytes)}`);

  // ---- page cache and memory ----
  const pageCache = {};
  if (source) {
    const mbs = readOnce(source.path);
    const res = pageCacheResidency(source.path);
    pageCache.before = res ? +(res.fraction * 100).toFixed(1) : null;
    log(`page cache: source read once before timing (${mbs.toFixed(0)} MB/s) and again before every timed run; ${res ? `${pageCache.before} % of it resident (fincore)` : 'fincore unavailable, residency not checked'}`);
  }
  let touch = { bytes: 0, skipped: 'disabled (--touch 0)' };
  if (opts.touch > 0) {
    log(`memory: touching ${fmtBytes(opts.touch)} once (write zeros to /dev/shm, delete) …`);
    touch = touchMemory(opts.touch);
    log(touch.bytes ? `memory: touched ${fmtBytes(touch.bytes)} at ${touch.mb_s} MB/s (~440 MB/s means fresh VM memory, ~2000 already touched)` : `memory: touch skipped (${touch.skipped})`);
  }

  // ---- warm-up (untimed) ----
  if (opts.warmup && active.length) {
    log(`warm-up (untimed): each case once with ${fmtBytes(warmSize)}${warmTree ? ` / ${warmTree.files} files` : ''} …`);
    for (const k of active) {
      if (k.id === 'resume') continue;
      try { await k.runOnce(ctx, k.folder ? warmTree : k.ownSource ? k.source(ctx) : warmSource, `w-${k.id}`); } catch (err) { log(`  warm-up ${k.n} ${k.id} failed: ${err.message}`); }
    }
  }

  // ---- timed rounds, the cases alternated ----
  const runs = Object.fromEntries(active.map((k) => [k.id, []]));
  startCpuMonitor();
  const loadBefore = os.loadavg()[0];
  const tStart = performance.now();
  for (let round = 1; round <= opts.runs; round++) {
    for (const k of active) {
      const src = k.folder ? tree : k.ownSource ? k.source(ctx) : source;
      let rec;
      // Keep the source in the page cache for every case alike (cheap when it already is).
      if (!k.folder && !k.ownSource) readOnce(source.path);
      // Every case starts with the same supply of host-backed free memory (see README: free page reporting).
      const prefaultMBs = opts.prefault ? prefault((src.bytes ?? src.size) * PREFAULT_FACTOR + 64 * 2 ** 20) : undefined;
      try {
        rec = { round, load_1m: +os.loadavg()[0].toFixed(2), prefault_mb_s: prefaultMBs, ...(await k.runOnce(ctx, src, `r${round}-${k.id}`)) };
        // CPU the whole machine spent in the timed span, and how much of it was not ours.
        const mc = machineCpuBetween(rec.span[0], rec.span[1]);
        if (mc !== undefined) {
          rec.machine_cpu_s = +mc.toFixed(2);
          rec.other_cpu_s = +Math.max(0, mc - rec.procs.reduce((s, p) => s + (p.cpu ?? 0), 0)).toFixed(2);
        }
        const rep = reportedMiBBetween(rec.span[0], rec.span[1]);
        if (rep !== undefined) rec.page_reported_mib = Math.round(rep);
        rec.span = rec.span.map((t) => +((t - tStart) / 1000).toFixed(3));
        const mbs = rec.bytes / 1e6 / rec.wall_s;
        let extra = rec.files ? `, ${(rec.files / rec.wall_s).toFixed(0)} files/s` : rec.extra?.resent_bytes !== undefined ? `, bytesOnWire − bytes = ${fmtBytes(rec.extra.resent_bytes)}` : '';
        if (rec.prefault_mb_s !== undefined) extra += ` [prefault ${rec.prefault_mb_s} MB/s${rec.page_reported_mib ? `, ${rec.page_reported_mib} MiB reported to host during run` : ''}]`;
        if (rec.extra?.to_transfer_started_s !== undefined) extra += ` (transfer-started at ${rec.extra.to_transfer_started_s.toFixed(2)} s)`;
        log(`[round ${round}/${opts.runs}] ${k.n} ${k.id}: ${k.latency ? `${rec.wall_s.toFixed(3)} s launch → published (exit at ${rec.extra?.exit_s ?? '?'} s)` : `${mbs.toFixed(0)} MB/s, ${rec.wall_s.toFixed(3)} s`}${extra}`);
      } catch (err) {
        rec = { round, error: err.message };
        log(`[round ${round}/${opts.runs}] ${k.n} ${k.id}: FAILED: ${err.message.replace(/\s*\n\s*/g, " | ")}`);
      }
      runs[k.id].push(rec);
    }
  }
  const timedSeconds = (performance.now() - tStart) / 1000;
  stopCpuMonitor();
  const loadAfter = os.loadavg()[0];
  for (const k of active) await k.teardown?.(ctx);

  if (source) {
    const res = pageCacheResidency(source.path);
    pageCache.after = res ? +(res.fraction * 100).toFixed(1) : null;
  }

  // ---- results ----
  const cases = Object.fromEntries(active.map((k) => [k.id, summarize(k, runs[k.id])]));
  const rv = {
    ratio_vs_openssl: ratio(cases, 'peerdeck', 'openssl'),
    ratio_vs_node: ratio(cases, 'peerdeck', 'node'),
    ratio_vs_scp: ratio(cases, 'peerdeck', 'scp'),
    ratio_dashboard: ratio(cases, 'dashboard', 'peerdeck'),
    ratio_files_vs_scp: ratio(cases, 'files_peerdeck', 'files_scp', 'files_s'),
  };
  // Bytes sent twice: the resumed send's payload bytes on the wire minus those of an uninterrupted
  // send of the same file (case 4, so framing cancels out); without case 4, bytesOnWire − bytes.
  const cleanWire = (cases.peerdeck?.runs ?? []).filter((x) => !x.error && typeof x.extra?.bytesOnWire === 'number').map((x) => x.extra.bytesOnWire);
  const baselineWire = cleanWire.length ? Math.min(...cleanWire) : undefined;
  const resent = [];
  for (const x of (cases.resume?.runs ?? []).filter((y) => !y.error)) {
    const e = x.extra;
    if (typeof e?.sender_bytes_on_wire !== 'number') continue;
    if (baselineWire !== undefined) { e.resent_bytes = e.sender_bytes_on_wire - baselineWire; e.resent_source = "sender transfer-done bytesOnWire − case 4's (uninterrupted) bytesOnWire"; }
    resent.push(e.resent_bytes);
  }
  const resentBytes = resent.length ? Math.max(...resent) : null;

  log('');
  log(table(cases, skipped, wanted));
  log('');
  const fmtR = (name, x, what) => `${name} = ${x.value ?? 'n/a'}${x.paired !== null && x.paired !== undefined ? ` (paired per round: ${x.paired})` : ''}  ${what}`;
  log(fmtR('ratio_vs_openssl', rv.ratio_vs_openssl, 'case 4 / case 1 throughput'));
  log(fmtR('ratio_vs_node   ', rv.ratio_vs_node, 'case 4 / case 2'));
  log(fmtR('ratio_vs_scp    ', rv.ratio_vs_scp, 'case 4 / case 3'));
  log(fmtR('ratio_dashboard ', rv.ratio_dashboard, 'case 5 / case 4'));
  log(fmtR('files/s vs scp  ', rv.ratio_files_vs_scp, 'case 7a / 7b files per second'));
  const sendLatency = latencySummary(cases);
  if (sendLatency) log(`send_latency_s   = with engine ${sendLatency.with_engine ?? 'n/a'}, without ${sendLatency.without_engine ?? 'n/a'}, scp ${sendLatency.scp ?? 'n/a'}  cases 8a/8b/8c, 1 KiB, launch → published (median s)`);
  if (cases.resume) {
    const ok = cases.resume.runs.filter((x) => !x.error);
    log(`resent_bytes = ${resentBytes ?? 'n/a'}${resent.length > 1 ? ` (max of ${resent.join(', ')})` : ''}  ${ok[0]?.extra?.resent_source ?? ''}; killed at ${ok.map((x) => fmtBytes(x.extra.killed_at_bytes)).join(', ') || 'n/a'} of ${fmtBytes(opts.size)}`);
  } else if (skipped.resume) log(`resent_bytes = n/a (case 6 skipped: ${skipped.resume})`);
  const window = await inFlightWindow(repo);
  const bar = checkBar(cases, rv, resentBytes, window);
  if (bar.length) {
    log('issue 6 bar:');
    for (const b of bar) log(`  ${b.pass === true ? 'PASS' : b.pass === false ? 'FAIL' : ' ?  '}  ${b.what}: ${b.value}`);
  }
  const durable = ['openssl', 'scp'].filter((id) => cases[id]?.mb_s_incl_fsync).map((id) => `case ${cases[id].n} ${cases[id].mb_s_incl_fsync.median} MB/s`);
  if (durable.length) log(`incl. a final fsync (sync FILE after exit, untimed above; cases 2 and 4 fsync themselves): ${durable.join(', ')}`);
  log(`page cache: source ${pageCache.before ?? '?'} % resident before timing, ${pageCache.after ?? '?'} % after; timed rounds took ${timedSeconds.toFixed(0)} s; load average ${loadBefore.toFixed(2)} → ${loadAfter.toFixed(2)}`);
  const allRuns = Object.values(runs).flat().filter((x) => !x.error && x.other_cpu_s !== undefined);
  const otherTotal = allRuns.reduce((a, x) => a + x.other_cpu_s, 0);
  const capacity = allRuns.reduce((a, x) => a + x.wall_s, 0) * machine.cores;
  const otherShare = capacity ? otherTotal / capacity : 0;
  if (otherShare > 0.05) log(`WARNING: other processes used ${otherTotal.toFixed(1)} CPU-s during the timed spans (${(otherShare * 100).toFixed(0)} % of the ${machine.cores} cores): the figures are contaminated; prefer the paired ratios, or rerun on a quiet machine.`);
  log('"other CPU" = CPU-seconds the rest of the machine used during a run (from /proc/stat, minus the measured processes): > ~0.2 s per run means something else was competing.');
  log('MB = 10^6 bytes. Wall = whole processes, first start to last exit. CPU = user+sys of every measured process (GNU time), per GiB moved.');

  const doc = {
    generated: new Date().toISOString(),
    command: `node bench/run.mjs ${process.argv.slice(2).join(' ')}`.trim(),
    git: run('git', ['-C', repo, 'rev-parse', '--short', 'HEAD'], { allowFail: true }).stdout?.trim() || undefined,
    machine,
    params: { size_bytes: opts.size, runs: opts.runs, quick: opts.quick, prefault: opts.prefault, files: opts.files, file_size: opts.fileSize, warmup: opts.warmup, cases: opts.cases },
    source: source ? { bytes: source.size, sha256: source.sha256, page_cache_percent_before: pageCache.before, page_cache_percent_after: pageCache.after } : undefined,
    folder: tree ? { files: tree.files, bytes: tree.bytes } : undefined,
    memory_touch: touch,
    peerdeck: ctx.pd ? { auto_accept_pin: ctx.pd.autoAccept, send_wait: ctx.pd.sendWait, send_port: ctx.pd.sendPort } : { skipped: ctx.pdSkip },
    ratio_vs_openssl: rv.ratio_vs_openssl.value,
    ratio_vs_node: rv.ratio_vs_node.value,
    ratio_vs_scp: rv.ratio_vs_scp.value,
    ratio_dashboard: rv.ratio_dashboard.value,
    ratio_files_vs_scp: rv.ratio_files_vs_scp.value,
    send_latency_s: sendLatency ?? null,
    paired_ratios: Object.fromEntries(Object.entries(rv).map(([k, v]) => [k, v.paired])),
    resent_bytes: resentBytes,
    in_flight_window_bytes: window?.bytes ?? null,
    bar,
    skipped,
    cases,
    timed_seconds: +timedSeconds.toFixed(1),
    load_average_1m: { before: +loadBefore.toFixed(2), after: +loadAfter.toFixed(2) },
    other_cpu: { seconds: +otherTotal.toFixed(1), share_of_capacity: +otherShare.toFixed(3) },
    units: { mb_s: '10^6 bytes per second, whole-process wall time', cpu_s_per_gib: 'user+sys seconds of all measured processes per 2^30 bytes', peak_rss_mib: 'max RSS (GNU time %M) in MiB' },
  };
  const out = opts.out ? path.resolve(opts.out) : path.join(here, 'results', 'latest.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(doc, null, 2)}\n`);
  log(`wrote ${path.relative(process.cwd(), out) || out}`);
  const failed = active.filter((k) => cases[k.id].runs_ok === 0);
  return failed.length ? 1 : 0;
}

/** Median launch → published seconds of cases 8a/8b/8c, or undefined when none ran. */
function latencySummary(cases) {
  const m = (id) => cases[id]?.wall_s?.median ?? null;
  const out = { with_engine: m('latency_engine'), without_engine: m('latency_noengine'), scp: m('latency_scp') };
  return Object.values(out).some((v) => v !== null) ? out : undefined;
}

main().then((code) => { cleanupSync(); process.exit(code); }, (err) => { process.stderr.write(`bench: ${err.stack ?? err.message}\n`); cleanupSync(); process.exit(1); });
