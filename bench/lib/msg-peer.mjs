// One side of the `--cases lib` message benchmark (bench/cases/lib-messages.mjs), run as its
// own process. Each prints JSON lines on stdout: {"port":P} once listening (receivers), and
// one result line at the end.
//
//   tls-recv --port P --ca --cert --key --count N    bare Node mutual-TLS 1.3 server: reads
//            length-prefixed frames (u32 BE length, payload; parsed, payload not copied), after
//            N frames writes one byte back.
//   tls-send --port P --ca --cert --key --count N --size S   sends N frames of S bytes with
//            write() backpressure (1 MiB highWaterMark, like peerdeck's app sockets), and times
//            from the first write to the receiver's byte.
//   lib-recv --config DIR --count N      createPeer; accepts one `bytes` connection, reads N
//            messages (each a Uint8Array), then sends one 1-byte message back.
//   lib-send --config DIR --peer H:P --count N --size S      createPeer; connects `bytes` to its
//            one pinned peer, awaits send() N times, times from the first send to the reply.
import fs from 'node:fs';
import tls from 'node:tls';

const argv = process.argv.slice(2);
const role = argv[0];
const arg = (k) => {
  const i = argv.indexOf(`--${k}`);
  if (i < 0) throw new Error(`--${k} missing`);
  return argv[i + 1];
};
const HWM = 1 << 20;
const SUITE = 'TLS_AES_128_GCM_SHA256';
const out = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
let maxRss = 0;
const sampler = setInterval(() => (maxRss = Math.max(maxRss, process.memoryUsage().rss)), 50);
const done = (o) => {
  clearInterval(sampler);
  out({ ...o, maxRss: Math.max(maxRss, process.memoryUsage().rss) });
};
const tlsOpts = () => ({ key: fs.readFileSync(arg('key')), cert: fs.readFileSync(arg('cert')), ca: fs.readFileSync(arg('ca')), minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', ciphers: SUITE, highWaterMark: HWM });

if (role === 'tls-recv') {
  const count = Number(arg('count'));
  const server = tls.createServer({ ...tlsOpts(), requestCert: true, rejectUnauthorized: true }, (sock) => {
    let frames = 0;
    let bytes = 0;
    let need = -1; // payload bytes still to skip in the current frame; -1: reading a header
    let head = Buffer.alloc(0);
    sock.on('data', (buf) => {
      let i = 0;
      while (i < buf.length) {
        if (need < 0) {
          const take = Math.min(4 - head.length, buf.length - i);
          head = Buffer.concat([head, buf.subarray(i, i + take)]);
          i += take;
          if (head.length === 4) {
            need = head.readUInt32BE(0);
            head = Buffer.alloc(0);
          }
        }
        if (need >= 0) {
          const take = Math.min(need, buf.length - i);
          need -= take;
          bytes += take;
          i += take;
          if (need === 0) {
            need = -1;
            if (++frames === count) sock.write(Buffer.from([1]));
          }
        }
      }
    });
    sock.on('end', () => {
      done({ frames, bytes });
      sock.end();
      server.close();
    });
    sock.on('error', (err) => {
      console.error(`tls-recv: ${err.message}`);
      process.exit(1);
    });
  });
  server.listen(Number(arg('port')), '127.0.0.1', () => out({ port: server.address().port }));
} else if (role === 'tls-send') {
  const count = Number(arg('count'));
  const size = Number(arg('size'));
  const payload = Buffer.alloc(size, 7);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(size);
  const sock = tls.connect({ host: '127.0.0.1', port: Number(arg('port')), ...tlsOpts(), servername: 'localhost' }, async () => {
    const t0 = performance.now();
    for (let n = 0; n < count; n++) {
      sock.write(head);
      if (!sock.write(payload)) await new Promise((r) => sock.once('drain', r));
    }
    sock.once('data', () => {
      const ms = performance.now() - t0;
      done({ ms, messages: count, bytes: count * size });
      sock.end();
    });
  });
  sock.on('error', (err) => {
    console.error(`tls-send: ${err.message}`);
    process.exit(1);
  });
} else if (role === 'lib-recv' || role === 'lib-send') {
  const { createPeer } = await import('peerdeck');
  const count = Number(arg('count'));
  const peer = await createPeer({ configDir: arg('config'), port: 0, discovery: false, ...(role === 'lib-send' ? { peers: [arg('peer')] } : {}) });
  if (role === 'lib-recv') {
    out({ port: peer.port });
    const req = (await peer.requests().next()).value;
    const conn = req.accept();
    let bytes = 0;
    for (let n = 0; n < count; n++) {
      const r = await conn.read();
      if (r.done) throw new Error(`the connection ended after ${n} messages`);
      bytes += r.value.length;
    }
    await conn.send(new Uint8Array([1]));
    await new Promise((r) => conn.once('close', r));
    done({ messages: count, bytes });
  } else {
    const size = Number(arg('size'));
    const target = peer.trust.list()[0].deviceId;
    while (!peer.peers().some((p) => p.deviceId === target && p.state === 'online')) await new Promise((r) => setTimeout(r, 20));
    const conn = await peer.connect(target, { type: 'bytes', timeoutMs: 10_000 });
    const payload = new Uint8Array(size).fill(7);
    const t0 = performance.now();
    for (let n = 0; n < count; n++) await conn.send(payload);
    await conn.read();
    const ms = performance.now() - t0;
    conn.close();
    done({ ms, messages: count, bytes: count * size });
  }
  await peer.close();
} else {
  console.error('usage: msg-peer.mjs tls-recv|tls-send|lib-recv|lib-send ...');
  process.exit(2);
}
