// Case 2, receiving side: the "obvious Node design" of what peerdeck must do.
// One mutual-TLS 1.3 (TLS_AES_128_GCM_SHA256) connection, 1 MiB highWaterMark on
// the socket and the file stream, SHA-256 of every byte on the main thread, the
// bytes written into a file through fs.WriteStream with backpressure, one fsync
// at the end, then the digest checked against the sender's and an answer sent.
//
// Wire: 8-byte big-endian length, the payload, the sender's 32-byte SHA-256.
// Answer: "OK" or "BAD", then close.
//   node node-pipe-receiver.mjs --port P --out FILE --ca CA --cert CERT --key KEY
import tls from 'node:tls';
import net from 'node:net';
import fs from 'node:fs';
import { createHash, timingSafeEqual } from 'node:crypto';

const arg = (k) => { const i = process.argv.indexOf(`--${k}`); if (i < 0) throw new Error(`--${k} missing`); return process.argv[i + 1]; };
const HWM = 1 << 20;
const SUITE = 'TLS_AES_128_GCM_SHA256';

// tls.createServer does not pass highWaterMark on to the TLSSocket it makes, so the
// raw TCP socket is accepted with net and wrapped by hand.
const secureContext = tls.createSecureContext({
  key: fs.readFileSync(arg('key')), cert: fs.readFileSync(arg('cert')), ca: fs.readFileSync(arg('ca')),
  minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', ciphers: SUITE,
});
const server = net.createServer({ highWaterMark: HWM }, (raw) => {
  server.close();
  const sock = new tls.TLSSocket(raw, { isServer: true, secureContext, requestCert: true, rejectUnauthorized: true, highWaterMark: HWM });
  sock.on('secure', () => {
    // The client's certificate must chain to our CA (mutual TLS), as with tls.Server.
    const verifyError = sock._handle?.verifyError?.();
    if (verifyError || !sock.getPeerCertificate()?.raw) { console.error(`receiver: client certificate rejected: ${verifyError?.message ?? 'none sent'}`); process.exit(1); }
    receive(sock);
  });
  sock.on('error', (err) => { console.error(`receiver: TLS: ${err.message}`); process.exit(1); });
});
server.listen(Number(arg('port')), '127.0.0.1');

function receive(sock) {
  if (sock.getCipher().standardName !== SUITE && sock.getCipher().name !== SUITE) {
    console.error(`receiver: negotiated ${JSON.stringify(sock.getCipher())}`); process.exit(1);
  }
  const fd = fs.openSync(arg('out'), 'w');
  const ws = fs.createWriteStream(null, { fd, autoClose: false, highWaterMark: HWM });
  const hash = createHash('sha256');
  let header = Buffer.alloc(0);
  let size = -1;
  let got = 0;
  let trailer = Buffer.alloc(0);
  let chunks = 0;
  sock.on('data', (chunk) => {
    chunks++;
    if (size < 0) {
      header = Buffer.concat([header, chunk]);
      if (header.length < 8) return;
      size = Number(header.readBigUInt64BE(0));
      chunk = header.subarray(8);
    }
    const want = size - got;
    if (want > 0) {
      const data = chunk.length > want ? chunk.subarray(0, want) : chunk;
      got += data.length;
      hash.update(data);
      if (!ws.write(data)) { sock.pause(); ws.once('drain', () => sock.resume()); }
      chunk = chunk.subarray(data.length);
    }
    if (chunk.length) trailer = Buffer.concat([trailer, chunk]);
    if (got === size && trailer.length >= 32) finish();
  });
  sock.on('error', (err) => { console.error(`receiver: ${err.message}`); process.exit(1); });
  let finished = false;
  function finish() {
    if (finished) return;
    finished = true;
    sock.pause();
    ws.end(() => {
      fs.fsync(fd, (err) => {
        if (err) { console.error(`receiver: fsync: ${err.message}`); process.exit(1); }
        fs.closeSync(fd);
        const digest = hash.digest();
        const ok = timingSafeEqual(digest, trailer.subarray(0, 32));
        sock.end(ok ? 'OK' : 'BAD', () => {
          process.stdout.write(`${JSON.stringify({ bytes: got, sha256: digest.toString('hex'), ok, hwm: sock.readableHighWaterMark, avgChunk: Math.round(got / chunks) })}\n`);
          process.exitCode = ok ? 0 : 1;
        });
      });
    });
  }
}
