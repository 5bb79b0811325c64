// What machine this is, whether the source is cached, and touching memory once.
import { readFileSync, statSync, openSync, readSync, closeSync } from 'node:fs';
import os from 'node:os';
import { run } from './proc.mjs';

export function describeMachine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const flags = new Set((/^flags\s*:(.*)$/m.exec(cpuinfo)?.[1] ?? '').trim().split(/\s+/));
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  const opensslV = run('openssl', ['version'], { allowFail: true }).stdout?.trim();
  const ssh = run('ssh', ['-V'], { allowFail: true });
  const meminfo = readFileSync('/proc/meminfo', 'utf8');
  const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(meminfo)?.[1] ?? 0) * 1024;
  let osName = os.type();
  try { osName = /^PRETTY_NAME="?(.*?)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? osName; } catch { /* */ }
  const tmpFs = run('df', ['-T', '-P', os.tmpdir()], { allowFail: true }).stdout?.trim().split('\n')[1]?.split(/\s+/)[1];
  return {
    cores: os.availableParallelism?.() ?? os.cpus().length,
    model,
    aes_ni: flags.has('aes'),
    sha_ni: flags.has('sha_ni'),
    vaes: flags.has('vaes'),
    avx2: flags.has('avx2'),
    mem_total_gib: +(kb('MemTotal') / 2 ** 30).toFixed(1),
    mem_available_gib: +(kb('MemAvailable') / 2 ** 30).toFixed(1),
    os: osName,
    kernel: os.release(),
    node: process.version,
    node_openssl: process.versions.openssl,
    openssl_cli: opensslV,
    openssh: (ssh.stderr || ssh.stdout || '').trim() || undefined,
    tmp_fs: tmpFs,
    loadavg: os.loadavg().map((x) => +x.toFixed(2)),
  };
}

export function memAvailable() {
  const m = /^MemAvailable:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/**
 * Page-cache residency of a file via util-linux `fincore` (bytes resident / size),
 * or undefined when fincore is missing.
 */
export function pageCacheResidency(file) {
  const r = run('fincore', ['--bytes', '--noheadings', '--output', 'RES,SIZE', file], { allowFail: true });
  if (r.status !== 0) return undefined;
  const [res, size] = r.stdout.trim().split(/\s+/).map(Number);
  return { resident: res, size, fraction: size ? res / size : 1 };
}

/** Read a file once, start to end (pulls it into the page cache). Returns MB/s. */
export function readOnce(file) {
  const t = performance.now();
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(4 << 20);
  try { while (readSync(fd, buf, 0, buf.length, null) > 0) { /* read */ } } finally { closeSync(fd); }
  const s = (performance.now() - t) / 1000;
  return statSync(file).size / 1e6 / s;
}

/**
 * Touch `bytes` of RAM once in a throwaway process: write zeros into /dev/shm, then delete.
 * On these VMs the first write into never-touched guest memory runs at ~440 MB/s, the second
 * at ~2 GB/s; the rate printed tells which one this was.
 */
export function touchMemory(bytes) {
  const avail = memAvailable();
  const capped = Math.max(0, Math.min(bytes, avail - 4 * 2 ** 30));
  const mib = Math.floor(capped / 2 ** 20);
  if (mib < 64) return { bytes: 0, skipped: `only ${(avail / 2 ** 30).toFixed(1)} GiB available` };
  const f = `/dev/shm/peerdeck-bench-touch-${process.pid}`;
  const t = performance.now();
  try {
    run('dd', ['if=/dev/zero', `of=${f}`, 'bs=1M', `count=${mib}`, 'status=none']);
  } finally {
    run('rm', ['-f', f], { allowFail: true });
  }
  const s = (performance.now() - t) / 1000;
  return { bytes: mib * 2 ** 20, seconds: +s.toFixed(2), mb_s: Math.round((mib * 2 ** 20) / 1e6 / s) };
}

/** Free page reporting to the hypervisor (virtio-balloon), which makes freed guest memory fresh again. */
export function pageReporting() {
  const dir = '/sys/module/page_reporting/parameters';
  try {
    const read = (f) => readFileSync(`${dir}/${f}`, 'utf8').trim();
    const out = { active: true, order: Number(read('page_reporting_order')) };
    for (const f of ['max_waiting_mib', 'min_free_ms']) { try { out[f] = Number(read(f)); } catch { /* not in this kernel */ } }
    return out;
  } catch {
    return { active: false };
  }
}

/**
 * Write `bytes` of zeros into /dev/shm and delete them at once, so the next large allocation (a
 * sink's page cache) reuses guest memory the host has just backed instead of fresh pages.
 * Returns the write rate (MB/s): ~440 means the pages were fresh.
 */
export function prefault(bytes) {
  const mib = Math.max(1, Math.ceil(bytes / 2 ** 20));
  if (mib * 2 ** 20 > memAvailable() - 4 * 2 ** 30) return undefined;
  const f = `/dev/shm/peerdeck-bench-prefault-${process.pid}`;
  const t = performance.now();
  try { run('dd', ['if=/dev/zero', `of=${f}`, 'bs=1M', `count=${mib}`, 'status=none']); } finally { run('rm', ['-f', f], { allowFail: true }); }
  return Math.round((mib * 2 ** 20) / 1e6 / ((performance.now() - t) / 1000));
}
