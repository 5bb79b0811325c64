// Case 2: a bare Node mutual-TLS pipe doing the work peerdeck must do, as two processes:
// bench/lib/node-pipe-sender.mjs and node-pipe-receiver.mjs (TLS 1.3 AES-128-GCM, 1 MiB
// highWaterMark and reads, SHA-256 on both ends on the main thread, file written through
// fs.WriteStream and fsynced once, digests compared before the sender exits).
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startTimed, waitExit, waitListening } from '../lib/proc.mjs';
import { deadlineFor, mustSucceed, usageOf, verifyFile } from '../lib/common.mjs';

const lib = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'lib');

export default {
  id: 'node',
  n: 2,
  label: 'bare Node TLS1.3 mTLS, 1 MiB hwm, SHA-256 both ends → file + fsync',
  short: 'bare Node TLS1.3, SHA-256 ×2 → file+fsync',
  async setup() { return undefined; },
  async runOnce(ctx, src) {
    const c = ctx.certs;
    const sink = path.join(ctx.dirs.sink, 'node.out');
    rmSync(sink, { force: true });
    const port = await freePort();
    const t0 = performance.now();
    const rcv = startTimed('node-receiver', process.execPath, [path.join(lib, 'node-pipe-receiver.mjs'), '--port', String(port), '--out', sink,
      '--ca', c.ca, '--cert', c.serverCert, '--key', c.serverKey], { timeFile: ctx.timeFile('node-receiver') });
    let snd;
    try {
      await waitListening(port, 10_000, rcv);
      snd = startTimed('node-sender', process.execPath, [path.join(lib, 'node-pipe-sender.mjs'), '--port', String(port), '--file', src.path,
        '--ca', c.ca, '--cert', c.clientCert, '--key', c.clientKey], { timeFile: ctx.timeFile('node-sender') });
      const deadline = deadlineFor(src.size);
      const [a, b] = await Promise.all([waitExit(rcv, deadline), waitExit(snd, deadline)]);
      const t1 = Math.max(a.t, b.t);
      mustSucceed(snd, b);
      mustSucceed(rcv, a);
      await verifyFile(sink, src);
      return { span: [t0, t1], wall_s: (t1 - t0) / 1000, bytes: src.size, procs: [await usageOf(rcv), await usageOf(snd)] };
    } finally {
      rcv.kill('SIGKILL');
      snd?.kill('SIGKILL');
      rmSync(sink, { force: true });
    }
  },
};
