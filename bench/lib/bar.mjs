// Issue 6's bar, checked against this run's figures (informational: the exit code does not depend on it).
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const WORMHOLE_MB_S = 382; // magic-wormhole 0.12, performance.md (not measured here)
const RSS_LIMIT_BYTES = 150e6;
const RECONNECT_FRAMES_ALLOWANCE = 4096;

/** In-flight window in bytes from the built constants (WINDOW_CHUNKS × CHUNK_SIZE), if they can be read. */
export async function inFlightWindow(repo) {
  try {
    const c = await import(pathToFileURL(path.join(repo, 'dist', 'core', 'transfer', 'constants.js')).href);
    const f = await import(pathToFileURL(path.join(repo, 'dist', 'protocol', 'chunk-frame.js')).href);
    // On the wire each chunk also carries its frame header (CHUNK_FRAME_OVERHEAD).
    const overhead = Number.isFinite(f.CHUNK_FRAME_OVERHEAD) ? f.CHUNK_FRAME_OVERHEAD : 0;
    if (Number.isFinite(c.WINDOW_CHUNKS) && Number.isFinite(f.CHUNK_SIZE)) return { bytes: c.WINDOW_CHUNKS * (f.CHUNK_SIZE + overhead), chunks: c.WINDOW_CHUNKS, chunk_size: f.CHUNK_SIZE, frame_overhead: overhead };
  } catch { /* not built or renamed */ }
  return undefined;
}

export function checkBar(cases, ratios, resentBytes, window) {
  const out = [];
  const add = (what, value, pass) => out.push({ what, value, pass });
  const p4 = cases.peerdeck?.mb_s?.median;
  if (ratios.ratio_vs_node.value !== null) add('peerdeck (4) >= 0.9 × bare Node (2)', ratios.ratio_vs_node.value, ratios.ratio_vs_node.value >= 0.9);
  if (p4 !== undefined) add(`peerdeck (4) ahead of magic-wormhole's ${WORMHOLE_MB_S} MB/s (performance.md)`, p4, p4 > WORMHOLE_MB_S);
  const rss = [];
  for (const id of ['peerdeck', 'resume', 'files_peerdeck']) {
    for (const [name, p] of Object.entries(cases[id]?.processes ?? {})) if (p.peak_rss_mib !== undefined) rss.push([`${id}: ${name}`, p.peak_rss_mib]);
  }
  if (rss.length) {
    const [name, max] = rss.reduce((a, b) => (b[1] > a[1] ? b : a));
    add('peak RSS < 150 MB per headless peerdeck process', `${(max * 2 ** 20 / 1e6).toFixed(0)} MB (${name})`, max * 2 ** 20 < RSS_LIMIT_BYTES);
  }
  if (ratios.ratio_dashboard.value !== null) add('dashboard costs < 10 % of throughput (5/4 > 0.9)', ratios.ratio_dashboard.value, ratios.ratio_dashboard.value > 0.9);
  if (resentBytes !== null && resentBytes !== undefined) {
    // bytesOnWire is what the sender wrote into its bulk sockets, so the second connection's own
    // frames (BULK_OPEN with its token, the resume point) add a few hundred bytes to "sent twice":
    // allow RECONNECT_FRAMES_ALLOWANCE for them.
    const limit = window ? window.bytes + RECONNECT_FRAMES_ALLOWANCE : undefined;
    add(`resume sends twice no more than the in-flight window${window ? ` (${window.chunks} × (${window.chunk_size} + ${window.frame_overhead}) B = ${window.bytes}, + ${RECONNECT_FRAMES_ALLOWANCE} B for the new connection's own frames)` : ''}`, resentBytes, limit !== undefined ? resentBytes <= limit : null);
  }
  if (ratios.ratio_vs_scp.value !== null) add('goal: faster than scp into a file (4/3 > 1)', ratios.ratio_vs_scp.value, ratios.ratio_vs_scp.value > 1);
  return out;
}
