// Case 4: peerdeck headless `send` → headless `receive --accept --once` of the same file, as a
// user runs it (bench/lib/peerdeck.mjs has the exact commands). Timed from the receiver's start
// to both processes' exit; the sender exits 0 only after the receiver confirmed the file verified
// and published. The published file's SHA-256 is checked against the source afterwards.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { freePort, waitListening } from '../lib/proc.mjs';
import { deadlineFor, usageOf, verifyFile } from '../lib/common.mjs';
import { events, freshDirs, landedPath, startReceiver, startSender, phases, startupSeconds, waitTransfer } from '../lib/peerdeck.mjs';

export default {
  id: 'peerdeck',
  n: 4,
  label: 'peerdeck send → receive (headless, pinned, static peer) → file',
  short: 'peerdeck send → receive (headless)',
  needsPeerdeck: true,
  async setup(ctx) { return ctx.pdSkip ? { skip: ctx.pdSkip } : undefined; },
  async runOnce(ctx, src, tag) {
    const d = freshDirs(ctx, `p4-${tag}`);
    const port = await freePort();
    const t0 = performance.now();
    const rcv = startReceiver(ctx, d, port);
    let snd;
    try {
      await waitListening(port, 20_000, rcv);
      snd = startSender(ctx, d, port, src.path);
      const { rcv: a, snd: b } = await waitTransfer(rcv, snd, deadlineFor(src.size));
      const t1 = Math.max(a.t, b.t);
      const landed = landedPath(events(rcv), d, path.basename(src.path));
      await verifyFile(landed, src);
      const done = events(snd).filter((e) => e.type === 'transfer-done').at(-1);
      return { span: [t0, t1], wall_s: (t1 - t0) / 1000, bytes: src.size, procs: [await usageOf(rcv), await usageOf(snd)], extra: { bytesOnWire: done?.bytesOnWire, to_transfer_started_s: startupSeconds(snd, t0), phases: phases(t0, snd, rcv) } };
    } finally {
      rcv.kill('SIGKILL');
      snd?.kill('SIGKILL');
      rmSync(d.base, { recursive: true, force: true });
    }
  },
};
