// Memory noise control for the timed rounds, on VMs like ours that give guest memory back to the
// hypervisor behind the benchmark's back:
//   - DAMON (/sys/kernel/mm/damon/admin/kdamonds/N) runs a "pageout" scheme on physical memory:
//     page cache not touched for a few seconds (the 1 GiB source, between rounds) is dropped;
//   - free page reporting (/sys/module/page_reporting) hands freed pages to the host, so the next
//     big write (a sink's page cache) faults in fresh memory at ~440 MB/s instead of ~2 GB/s.
// Both make a run's speed depend on what the previous one freed, and they hit the cases unevenly.
// With --quiet-vm (the default when root) the bench turns each kdamond off and makes page reporting
// lazy for the duration of the run (free pages reported only after 60 s, only in 4 MiB blocks, at
// most 2 GiB waiting: with min_free_ms alone ~1 GiB was still reported during runs), records what
// it changed, and restores every value on exit (also after Ctrl-C or an error). Nothing is changed without root, or with
// --no-quiet-vm; the bench's pre-fault and source re-read still apply either way.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

const KDAMONDS = '/sys/kernel/mm/damon/admin/kdamonds';
const REPORTING = '/sys/module/page_reporting/parameters';
/** Pages must stay free this long before they are reported (the largest value the kernel took here). */
const REPORT_DELAY_MS = 60_000;
/** Only free blocks of 2^10 pages (4 MiB, the largest order) are reported. */
const REPORT_ORDER = 10;
const REPORT_MAX_WAITING_MIB = 2048;

const read = (f) => readFileSync(f, 'utf8').trim();

/** Apply; returns { changes: [{ file, from, to }], restore() }. */
export function quietVm() {
  const changes = [];
  const set = (file, to) => {
    let from;
    try { from = read(file); } catch { return; }
    if (from === String(to)) return;
    try {
      writeFileSync(file, String(to));
      changes.push({ file, from, to: String(to) });
    } catch { /* read-only or refused: leave it */ }
  };
  if (process.getuid?.() === 0) {
    let ids = [];
    try { ids = readdirSync(KDAMONDS).filter((d) => /^\d+$/.test(d)); } catch { /* no DAMON */ }
    for (const id of ids) if (safeRead(`${KDAMONDS}/${id}/state`) === 'on') set(`${KDAMONDS}/${id}/state`, 'off');
    set(`${REPORTING}/min_free_ms`, REPORT_DELAY_MS);
    set(`${REPORTING}/page_reporting_order`, REPORT_ORDER);
    set(`${REPORTING}/max_waiting_mib`, REPORT_MAX_WAITING_MIB);
  }
  let restored = false;
  return {
    changes,
    restore() {
      if (restored) return;
      restored = true;
      for (const c of [...changes].reverse()) {
        try { writeFileSync(c.file, c.from); } catch { /* best effort */ }
      }
    },
  };
}

function safeRead(f) {
  try { return read(f); } catch { return undefined; }
}
