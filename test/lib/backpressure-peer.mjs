// One side of test/lib/backpressure.test.ts, run as its own process so its RSS is its own.
//   reader: accept one bytes connection, read 1 message per READ_EVERY_MS for DURATION_MS, then close.
//   sender: push TOTAL_BYTES (default 1 GiB) as MESSAGE_BYTES messages as fast as send() allows,
//           stopping early when the connection closes (it does: the reader closes it first).
// Prints one JSON line at the end: { sends | reads, maxRss }.
import { createPeer } from 'peerdeck';

const { ROLE, CONFIG_DIR, PEER, DURATION_MS = '5000', READ_EVERY_MS = '1000', MESSAGE_BYTES = '262144', TOTAL_BYTES = String(2 ** 30) } = process.env;
let maxRss = 0;
const sample = setInterval(() => (maxRss = Math.max(maxRss, process.memoryUsage().rss)), 20);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const peer = await createPeer({ configDir: CONFIG_DIR, port: 0, discovery: false, ...(PEER ? { peers: [PEER] } : {}) });
if (ROLE === 'reader') {
  console.log(JSON.stringify({ port: peer.port }));
  const req = (await peer.requests().next()).value;
  const conn = req.accept();
  let reads = 0;
  const end = Date.now() + Number(DURATION_MS);
  while (Date.now() < end) {
    const r = await conn.read();
    if (r.done) break;
    reads++;
    await sleep(Number(READ_EVERY_MS));
  }
  conn.close();
  maxRss = Math.max(maxRss, process.memoryUsage().rss);
  console.log(JSON.stringify({ reads, maxRss }));
} else {
  while (!peer.peers().some((p) => p.verified && p.state === 'online')) await sleep(20);
  const conn = await peer.connect(peer.trust.list()[0].deviceId, { type: 'bytes', timeoutMs: 10_000 });
  const msg = new Uint8Array(Number(MESSAGE_BYTES));
  let sends = 0;
  const total = Math.ceil(Number(TOTAL_BYTES) / msg.length);
  try {
    while (sends < total) {
      await conn.send(msg);
      sends++;
    }
  } catch (err) {
    if (err.code !== 'ERR_CONNECTION_CLOSED') throw err;
  }
  maxRss = Math.max(maxRss, process.memoryUsage().rss);
  console.log(JSON.stringify({ sends, maxRss }));
}
clearInterval(sample);
await peer.close();
