// The whole machine's busy CPU time, sampled from /proc/stat every 50 ms, so a run can say how
// much CPU something other than the measured processes used during it (other work on the box).
import { readFileSync } from 'node:fs';

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
  const tick = () => { samples.push([performance.now(), busyNow()]); if (samples.length > 200_000) samples.splice(0, 100_000); };
  tick();
  timer = setInterval(tick, 50);
  timer.unref();
}
export function stopCpuMonitor() { clearInterval(timer); timer = undefined; }

function at(t) {
  if (!samples.length) return undefined;
  let lo = 0;
  let hi = samples.length - 1;
  if (t <= samples[0][0]) return samples[0][1];
  if (t >= samples[hi][0]) return samples[hi][1];
  while (hi - lo > 1) { const m = (lo + hi) >> 1; if (samples[m][0] <= t) lo = m; else hi = m; }
  const [t0, b0] = samples[lo];
  const [t1, b1] = samples[hi];
  return b0 + ((b1 - b0) * (t - t0)) / (t1 - t0);
}

/** Busy CPU seconds of the whole machine between two performance.now() times (interpolated). */
export function machineCpuBetween(t0, t1) {
  const a = at(t0);
  const b = at(t1);
  return a === undefined || b === undefined ? undefined : b - a;
}
