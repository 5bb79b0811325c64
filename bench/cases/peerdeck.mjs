// Case 4: peerdeck headless `send` → headless `receive --accept --once` of the same file, as a
// user runs it (bench/lib/peerdeck.mjs has the exact commands). Timed from the receiver's start
// to both processes' exit; the sender exits 0 only after the receiver confirmed the file verified
// and published. The published file's SHA-256 is checked against the source afterwards.
import { deadlineFor, verifyFile } from '../lib/common.mjs';
import { sendReceiveOnce } from '../lib/peerdeck.mjs';

export default {
  id: 'peerdeck',
  n: 4,
  label: 'peerdeck send → receive (headless, pinned, static peer) → file',
  short: 'peerdeck send → receive (headless)',
  needsPeerdeck: true,
  async setup(ctx) { return ctx.pdSkip ? { skip: ctx.pdSkip } : undefined; },
  async runOnce(ctx, src, tag) {
    const r = await sendReceiveOnce(ctx, `p4-${tag}`, src.path, deadlineFor(src.size), (landed) => verifyFile(landed, src));
    const done = r.senderEvents.filter((e) => e.type === 'transfer-done').at(-1);
    return { span: r.span, wall_s: r.wall_s, bytes: src.size, procs: r.procs, extra: { bytesOnWire: done?.bytesOnWire, ...r.extra } };
  },
};
