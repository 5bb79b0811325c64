// Summaries, ratios, the printed table and the JSON document.
const median = (xs) => { if (!xs.length) return undefined; const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const r = (x, d = 1) => (x === undefined || x === null || Number.isNaN(x) ? undefined : +x.toFixed(d));

export function summarize(kase, runs) {
  const ok = runs.filter((x) => !x.error);
  const mbs = ok.map((x) => x.bytes / 1e6 / x.wall_s);
  const fps = ok.filter((x) => x.files).map((x) => x.files / x.wall_s);
  const gib = (x) => x.bytes / 2 ** 30;
  const cpuPerGiB = ok.map((x) => x.procs.reduce((s, p) => s + (p.cpu ?? 0), 0) / gib(x));
  const procs = {};
  for (const x of ok) for (const p of x.procs) {
    const e = (procs[p.name] ??= { cpu_s: [], rss_mib: [] });
    if (p.cpu !== undefined) e.cpu_s.push(p.cpu);
    if (p.rss_mib !== undefined) e.rss_mib.push(p.rss_mib);
  }
  const perProc = Object.fromEntries(Object.entries(procs).map(([k, v]) => [k, { cpu_s_median: r(median(v.cpu_s), 2), peak_rss_mib: v.rss_mib.length ? Math.max(...v.rss_mib) : undefined }]));
  const durable = ok.filter((x) => x.fsync_s !== undefined).map((x) => x.bytes / 1e6 / (x.wall_s + x.fsync_s));
  const other = ok.filter((x) => x.other_cpu_s !== undefined).map((x) => x.other_cpu_s);
  return {
    n: kase.n,
    label: kase.label,
    short: kase.short,
    runs_ok: ok.length,
    runs_failed: runs.length - ok.length,
    mb_s: ok.length ? { median: r(median(mbs)), min: r(Math.min(...mbs)), max: r(Math.max(...mbs)) } : undefined,
    files_s: fps.length ? { median: r(median(fps), 0), min: r(Math.min(...fps), 0), max: r(Math.max(...fps), 0) } : undefined,
    wall_s: ok.length ? { median: r(median(ok.map((x) => x.wall_s)), 3), min: r(Math.min(...ok.map((x) => x.wall_s)), 3), max: r(Math.max(...ok.map((x) => x.wall_s)), 3) } : undefined,
    cpu_s_per_gib: r(median(cpuPerGiB), 2),
    mb_s_incl_fsync: durable.length ? { median: r(median(durable)), min: r(Math.min(...durable)), max: r(Math.max(...durable)) } : undefined,
    other_cpu_s: other.length ? { median: r(median(other), 2), max: r(Math.max(...other), 2) } : undefined,
    processes: perProc,
    errors: runs.filter((x) => x.error).map((x) => x.error),
    runs,
  };
}

/** first/second of median throughputs, and the median of per-round ratios (paired). */
export function ratio(cases, a, b, key = 'mb_s') {
  const A = cases[a];
  const B = cases[b];
  if (!A?.[key] || !B?.[key]) return { value: null, paired: null };
  const value = +(A[key].median / B[key].median).toFixed(3);
  const per = [];
  for (const ra of A.runs) {
    const rb = B.runs.find((x) => x.round === ra.round);
    if (!ra.error && rb && !rb.error) per.push((ra.bytes / ra.wall_s) / (rb.bytes / rb.wall_s));
  }
  return { value, paired: per.length ? +median(per).toFixed(3) : null };
}

const pad = (s, n) => { s = String(s); return s.length >= n ? s : s + ' '.repeat(n - s.length); };
const lpad = (s, n) => { s = String(s); return s.length >= n ? s : ' '.repeat(n - s.length) + s; };

export function table(cases, skipped, order) {
  const lines = [];
  const W = 42;
  const head = `${pad('#', 3)} ${pad('case', W)} ${lpad('MB/s med', 9)} ${pad(' (min–max)', 16)} ${lpad('files/s', 8)} ${lpad('wall s', 7)} ${lpad('CPU s/GiB', 9)} ${lpad('other CPU', 9)}  peak RSS MiB (CPU s) per process`;
  lines.push(head, '-'.repeat(head.length + 30));
  for (const k of order) {
    const label = k.short ?? k.label;
    if (skipped[k.id]) { lines.push(`${pad(k.n, 3)} ${pad(label, W)} skipped: ${skipped[k.id]}`); continue; }
    const c = cases[k.id];
    if (!c) continue;
    if (!c.mb_s) { lines.push(`${pad(k.n, 3)} ${pad(label, W)} FAILED: ${(c.errors[0] ?? 'no runs').replace(/\s*\n\s*/g, ' | ').slice(0, 400)}`); continue; }
    const procs = Object.entries(c.processes).map(([n, p]) => `${n.replace(/^peerdeck /, '')} ${p.peak_rss_mib ?? '?'} (${p.cpu_s_median ?? '?'})`).join('; ');
    if (k.latency) { lines.push(`${pad(k.n, 3)} ${pad(label, W)} ${lpad('', 9)} ${pad('', 16)} ${lpad('', 8)} ${lpad(c.wall_s.median.toFixed(3), 7)} ${lpad('', 9)} ${lpad(c.other_cpu_s ? c.other_cpu_s.median.toFixed(2) : '', 9)}  ${procs}  (launch → published, s; min–max ${c.wall_s.min.toFixed(3)}–${c.wall_s.max.toFixed(3)})`); continue; }
    lines.push(`${pad(k.n, 3)} ${pad(label, W)} ${lpad(c.mb_s.median.toFixed(0), 9)} ${pad(` (${c.mb_s.min.toFixed(0)}–${c.mb_s.max.toFixed(0)})`, 16)} ${lpad(c.files_s ? `${c.files_s.median}` : '', 8)} ${lpad(c.wall_s.median.toFixed(2), 7)} ${lpad(c.cpu_s_per_gib?.toFixed(2) ?? '', 9)} ${lpad(c.other_cpu_s ? c.other_cpu_s.median.toFixed(2) : '', 9)}  ${procs}`);
    if (c.runs_failed) lines.push(`    (${c.runs_failed} run(s) failed: ${c.errors[0].replace(/\s*\n\s*/g, ' | ').slice(0, 300)})`);
  }
  return lines.join('\n');
}
