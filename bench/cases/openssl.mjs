// Case 1: openssl's own TLS 1.3 AES-128-GCM pipe, mutual certificates, into a file.
// s_server writes what it receives to the sink; s_client reads the source on stdin.
// Pitfalls handled (performance.md): s_server's stdin must never reach EOF (with -quiet
// an EOF closes the connection at once), so it gets a pipe the harness holds open (the
// same as a FIFO opened read-write); -quiet implies -ign_eof on s_client, so -no_ign_eof
// makes it finish at the end of the file; -nocommands stops payload lines starting with
// K/Q/R being taken as commands. No fsync (openssl cannot), unlike cases 2 and 4.
import { closeSync, openSync, rmSync } from 'node:fs';
import path from 'node:path';
import { freePort, startTimed, waitExit, waitListening } from '../lib/proc.mjs';
import { deadlineFor, fsyncSeconds, mustSucceed, usageOf, verifyFile } from '../lib/common.mjs';

const SUITE = ['-tls1_3', '-ciphersuites', 'TLS_AES_128_GCM_SHA256'];

export default {
  id: 'openssl',
  n: 1,
  label: 'openssl s_client→s_server, TLS1.3 AES-128-GCM mTLS → file',
  short: 'openssl s_server/s_client TLS1.3 → file',
  async setup() { return undefined; },
  async runOnce(ctx, src) {
    const c = ctx.certs;
    const sink = path.join(ctx.dirs.sink, 'openssl.out');
    rmSync(sink, { force: true });
    const port = await freePort();
    const sinkFd = openSync(sink, 'w');
    const t0 = performance.now();
    const srv = startTimed('s_server', 'openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-naccept', '1', '-quiet', ...SUITE,
      '-cert', c.serverCert, '-key', c.serverKey, '-CAfile', c.ca, '-Verify', '1'], { timeFile: ctx.timeFile('s_server'), stdio: ['pipe', sinkFd, 'pipe'] });
    closeSync(sinkFd);
    let cli;
    try {
      await waitListening(port, 10_000, srv);
      const srcFd = openSync(src.path, 'r');
      cli = startTimed('s_client', 'openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-quiet', '-no_ign_eof', '-nocommands', ...SUITE,
        '-cert', c.clientCert, '-key', c.clientKey, '-CAfile', c.ca, '-verify_return_error'], { timeFile: ctx.timeFile('s_client'), stdio: [srcFd, 'ignore', 'pipe'] });
      closeSync(srcFd);
      const deadline = deadlineFor(src.size);
      const [a, b] = await Promise.all([waitExit(srv, deadline), waitExit(cli, deadline)]);
      const t1 = Math.max(a.t, b.t);
      mustSucceed(cli, b);
      mustSucceed(srv, a);
      const fsync_s = fsyncSeconds(sink); // untimed: for the "incl. fsync" figure only
      await verifyFile(sink, src);
      return { fsync_s, span: [t0, t1], wall_s: (t1 - t0) / 1000, bytes: src.size, procs: [await usageOf(srv), await usageOf(cli)] };
    } finally {
      srv.child.stdin?.destroy();
      srv.kill('SIGKILL');
      cli?.kill('SIGKILL');
      rmSync(sink, { force: true });
    }
  },
};
