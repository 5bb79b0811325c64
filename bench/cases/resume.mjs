// Case 6: resume. As case 4 (the sender runs with --wait, so it stays through the outage),
// but the receiver is SIGKILLed at about half way — watched through the partial file's size under DIR/.peerdeck-partial/ (polled every few ms) and the receiver's
// `transfer-progress` events, whichever shows half first — then restarted at once on the
// same port, config dir and downloads folder. Reported: where it was killed, and the bytes
// sent twice = the sender's final `transfer-done` bytesOnWire − bytes (payload bytes put on
// the bulk connection over all attempts minus the file size), as the transfers code counts them.
import { readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { freePort, sleep, waitExit, waitListening } from '../lib/proc.mjs';
import { deadlineFor, usageOf, verifyFile } from '../lib/common.mjs';
import { events, freshDirs, landedPath, startReceiver, startSender, waitTransfer } from '../lib/peerdeck.mjs';

function partialBytes(downloads) {
  const root = path.join(downloads, '.peerdeck-partial');
  let n = 0;
  let dirs;
  try { dirs = readdirSync(root); } catch { return 0; }
  for (const t of dirs) {
    let files;
    try { files = readdirSync(path.join(root, t)); } catch { continue; }
    for (const f of files) if (f.endsWith('.part')) { try { n += statSync(path.join(root, t, f)).size; } catch { /* racing */ } }
  }
  return n;
}

export default {
  id: 'resume',
  n: 6,
  label: 'resume: receiver SIGKILLed at ~50 % and restarted',
  short: 'peerdeck resume (receiver killed ~50 %)',
  needsPeerdeck: true,
  async setup(ctx) { return ctx.pdSkip ? { skip: ctx.pdSkip } : undefined; },
  async runOnce(ctx, src, tag) {
    const d = freshDirs(ctx, `p6-${tag}`);
    const port = await freePort();
    const half = src.size / 2;
    const t0 = performance.now();
    const rcv1 = startReceiver(ctx, d, port, 'peerdeck receive (killed)');
    let progressed = 0;
    rcv1.onLine((line, which) => {
      if (which !== 'stdout' || !line.includes('transfer-progress')) return;
      try { const e = JSON.parse(line); if (e.type === 'transfer-progress') progressed = Math.max(progressed, e.bytes); } catch { /* */ }
    });
    let snd;
    let rcv2;
    try {
      await waitListening(port, 20_000, rcv1);
      snd = startSender(ctx, d, port, src.path, { wait: true });
      const deadline = performance.now() + deadlineFor(src.size);
      let onDisk = 0;
      while (performance.now() < deadline) {
        onDisk = partialBytes(d.downloads);
        if (onDisk >= half || progressed >= half) break;
        if (rcv1.done || snd.done) throw new Error(`the transfer ended before half way (receiver ${rcv1.result?.code ?? 'running'}, sender ${snd.result?.code ?? 'running'}); file too small to interrupt?`);
        await sleep(2);
      }
      const pid = rcv1.innerPid();
      if (!pid) throw new Error('receiver process not found to kill');
      process.kill(pid, 'SIGKILL');
      const tKill = performance.now();
      const killedAt = Math.max(partialBytes(d.downloads), onDisk, progressed);
      await waitExit(rcv1, 10_000);
      rcv2 = startReceiver(ctx, d, port, 'peerdeck receive (restarted)');
      // A restarted `receive --once` must count the resumed transfer (taken up by the engine
      // without a new offer) to exit; builds before faee6e5 did not, so if it stays up after
      // reporting transfer-done and the sender exited 0, the harness stops it (and says so).
      const { rcv: a, snd: b } = await waitTransfer(rcv2, snd, deadlineFor(src.size), { stopDoneReceiver: true });
      const t1 = Math.max(a.t, b.t);
      const landed = landedPath(events(rcv2), d, path.basename(src.path));
      await verifyFile(landed, src);
      const sendEvents = events(snd);
      const done = sendEvents.filter((e) => e.type === 'transfer-done').at(-1);
      const firstAfter = events(rcv2).find((e) => e.type === 'transfer-progress');
      const resent = typeof done?.bytesOnWire === 'number' && typeof done?.bytes === 'number' ? done.bytesOnWire - done.bytes : undefined;
      return {
        span: [t0, t1],
        wall_s: (t1 - t0) / 1000,
        bytes: src.size,
        procs: [await usageOf(rcv1), await usageOf(rcv2), await usageOf(snd)],
        extra: {
          killed_at_bytes: killedAt,
          killed_at_s: +((tKill - t0) / 1000).toFixed(3),
          restart_to_done_s: +((t1 - tKill) / 1000).toFixed(3),
          sender_bytes: done?.bytes,
          sender_bytes_on_wire: done?.bytesOnWire,
          resent_bytes: resent,
          resent_source: resent === undefined ? 'sender transfer-done had no bytes/bytesOnWire' : 'sender transfer-done: bytesOnWire - bytes',
          first_progress_after_restart: firstAfter?.bytes,
          restarted_receiver_stopped_by_harness: Boolean(a.stoppedByHarness),
          sender_paused_events: sendEvents.filter((e) => e.type === 'transfer-paused').length,
        },
      };
    } finally {
      rcv1.kill('SIGKILL');
      rcv2?.kill('SIGKILL');
      snd?.kill('SIGKILL');
      rmSync(d.base, { recursive: true, force: true });
    }
  },
};
