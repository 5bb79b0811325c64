// Case 7: many small files (default 10,000 × 4 KiB, flat in one folder), a folder sent whole.
//   7a peerdeck `send PEER FOLDER` → `receive --accept --once` (as case 4);
//   7b `scp -r FOLDER` to a private sshd (as case 3).
// Files per second = files / wall time. The received tree (names and contents) is checked
// against the source's digest after each run.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { startTimed, waitExit } from '../lib/proc.mjs';
import { mustSucceed, treeDigest, usageOf } from '../lib/common.mjs';
import { sendReceiveOnce } from '../lib/peerdeck.mjs';
import { scpArgs, startSshd, stopSshd } from '../lib/sshd.mjs';
import scpCase from './scp.mjs';

const deadlineFor = (tree) => 120_000 + tree.files * 20;

function checkTree(dir, tree) {
  let got;
  try { got = treeDigest(dir); } catch (err) { throw new Error(`received folder unreadable: ${err.message}`, { cause: err }); }
  if (got.digest !== tree.digest) throw new Error(`received folder differs: ${got.files} files/${got.bytes} B vs ${tree.files}/${tree.bytes} (${dir})`);
}

export const filesPeerdeck = {
  id: 'files_peerdeck',
  n: '7a',
  label: 'peerdeck send FOLDER (many small files)',
  short: 'peerdeck send FOLDER (small files)',
  needsPeerdeck: true,
  folder: true,
  async setup(ctx) { return ctx.pdSkip ? { skip: ctx.pdSkip } : undefined; },
  async runOnce(ctx, tree, tag) {
    const r = await sendReceiveOnce(ctx, `p7-${tag}`, tree.path, deadlineFor(tree), (landed) => checkTree(landed, tree));
    return { span: r.span, wall_s: r.wall_s, bytes: tree.bytes, files: tree.files, procs: r.procs, extra: r.extra };
  },
};

export const filesScp = {
  id: 'files_scp',
  n: '7b',
  label: 'scp -r FOLDER (many small files)',
  short: 'scp -r FOLDER (small files)',
  folder: true,
  setup: (ctx) => scpCase.setup(ctx),
  async runOnce(ctx, tree, tag) {
    const dest = path.join(ctx.dirs.sink, `scp-r-${tag}`);
    rmSync(dest, { recursive: true, force: true });
    const sshd = await startSshd(ctx, ctx.sshd);
    let scp;
    try {
      const t0 = performance.now();
      scp = startTimed('scp -r', 'scp', scpArgs(ctx.sshd, sshd.port, ['-r'], tree.path, dest), { timeFile: ctx.timeFile('scp-r') });
      const r = await waitExit(scp, deadlineFor(tree));
      const t1 = r.t;
      mustSucceed(scp, r);
      const server = await stopSshd(sshd);
      checkTree(dest, tree);
      return { span: [t0, t1], wall_s: (t1 - t0) / 1000, bytes: tree.bytes, files: tree.files, procs: [await usageOf(scp), server] };
    } finally {
      scp?.kill('SIGKILL');
      sshd.h.kill('SIGKILL');
      rmSync(dest, { recursive: true, force: true });
    }
  },
};
