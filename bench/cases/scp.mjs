// Case 3: scp (default SFTP protocol, OpenSSH client) over 127.0.0.1 into a file, cipher
// aes128-gcm@openssh.com, against a private sshd (bench/lib/sshd.mjs). The timed span is
// the scp process from start to exit; sshd is already listening (its start is not timed)
// and its CPU/RSS for the connection is reported as its own process. No fsync.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { startTimed, waitExit } from '../lib/proc.mjs';
import { deadlineFor, fsyncSeconds, mustSucceed, usageOf, verifyFile } from '../lib/common.mjs';
import { scpArgs, setupSshd, startSshd, stopSshd } from '../lib/sshd.mjs';

export default {
  id: 'scp',
  n: 3,
  label: 'scp (SFTP) over 127.0.0.1, aes128-gcm@openssh.com → file',
  short: 'scp (SFTP, aes128-gcm) → file',
  async setup(ctx) {
    ctx.sshd ??= setupSshd(path.join(ctx.tmp, 'ssh'), ctx.log);
    return ctx.sshd.skip ? { skip: ctx.sshd.skip } : undefined;
  },
  async runOnce(ctx, src) {
    const sink = path.join(ctx.dirs.sink, 'scp.out');
    rmSync(sink, { force: true });
    const sshd = await startSshd(ctx, ctx.sshd);
    let scp;
    try {
      const t0 = performance.now();
      scp = startTimed('scp', 'scp', scpArgs(ctx.sshd, sshd.port, [], src.path, sink), { timeFile: ctx.timeFile('scp') });
      const r = await waitExit(scp, deadlineFor(src.size));
      const t1 = r.t;
      mustSucceed(scp, r);
      const server = await stopSshd(sshd);
      const fsync_s = fsyncSeconds(sink); // untimed: for the "incl. fsync" figure only
      await verifyFile(sink, src);
      return { fsync_s, span: [t0, t1], wall_s: (t1 - t0) / 1000, bytes: src.size, procs: [await usageOf(scp), server] };
    } finally {
      scp?.kill('SIGKILL');
      sshd.h.kill('SIGKILL');
      rmSync(sink, { force: true });
    }
  },
};
