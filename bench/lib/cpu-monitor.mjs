// The whole machine's busy CPU time, sampled from /proc/stat every 50 ms, so a run can say how
// much CPU something other than the measured processes used during it (other work on the box).
// Where the kernel reports free pages to the hypervisor (virtio-balloon free page reporting,
// /sys/module/page_reporting), the KiB reported are sampled too: memory handed back to the host
// during a run comes back as fresh, slow-to-fault pages.
import { existsSync, readFileSync } from 'node:fs';

const REPORTED = '/sys/module/page_reporting/parameters/reported_kib';
const hasReporting = existsSync(REPORTED);
const reportedNow = () => { try { return Number(readFileSync(REPORTED, 'utf8')); } catch { return NaN; } };

const HZ = 100; // USER_HZ: /proc/stat counts in 1/100 s on Linux
const samples = [];
let timer;

function busyNow() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal guest guest_nice: busy = all but idle, iowait (guest is inside user)
  const [user, nice, system, , , irq, softirq, steal] = f;
  return (user + nice + system + irq + softirq + (steal ?? 0)) / HZ;
}

export function startCpuMonitor() {
  if (timer) return;
  const tick = () => { samples.push([performance.now(), busyNow(), hasReporting ? reportedNow() : NaN]); if (samples.length > 200_000) samples.splice(0, 100_000); };
  tick();
  timer = setInterval(tick, 50);
  timer.unref();
}
export function stopCpuMonitor() { clearInterval(timer); timer = undefined; }

function at(t, k = 1) {
  if (!samples.length) return undefined;
  let lo = 0;
  let hi = samples.length - 1;
  if (t <= samples[0][0]) return samples[0][k];
  if (t >= samples[hi][0]) return samples[hi][k];
  while (hi - lo > 1) { const m = (lo + hi) >> 1; if (samples[m][0] <= t) lo = m; else hi = m; }
  const [t0] = samples[lo];
  const [t1] = samples[hi];
  const b0 = samples[lo][k];
  const b1 = samples[hi][k];
  return b0 + ((b1 - b0) * (t - t0)) / (t1 - t0);
}

/** MiB of free memory the guest reported to the host between two times, or undefined where there is no page reporting. */
export function reportedMiBBetween(t0, t1) {
  if (!hasReporting) return undefined;
  const a = at(t0, 2);
  const b = at(t1, 2);
  return Number.isFinite(a) && Number.isFinite(b) ? (b - a) / 1024 : undefined;
}

/** Busy CPU seconds of the whole machine between two performance.now() times (interpolated). */
export function machineCpuBetween(t0, t1) {
  const a = at(t0);
  const b = at(t1);
  return a === undefined || b === undefined ? undefined : b - a;
}
