// Case 2, sending side: reads the file with 1 MiB reads, SHA-256s it on the main
// thread, writes it into a mutual-TLS 1.3 (TLS_AES_128_GCM_SHA256) socket with a
// 1 MiB highWaterMark and backpressure, then sends the digest and waits for the
// receiver's "OK" (its digest matched, the file is fsynced).
//   node node-pipe-sender.mjs --port P --file FILE --ca CA --cert CERT --key KEY
import tls from 'node:tls';
import fs from 'node:fs';
import { createHash } from 'node:crypto';

const arg = (k) => { const i = process.argv.indexOf(`--${k}`); if (i < 0) throw new Error(`--${k} missing`); return process.argv[i + 1]; };
const HWM = 1 << 20;
const SUITE = 'TLS_AES_128_GCM_SHA256';
const file = arg('file');
const size = fs.statSync(file).size;

const sock = tls.connect({
  host: '127.0.0.1', port: Number(arg('port')),
  key: fs.readFileSync(arg('key')), cert: fs.readFileSync(arg('cert')), ca: fs.readFileSync(arg('ca')),
  minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', ciphers: SUITE, highWaterMark: HWM,
}, () => {
  const header = Buffer.alloc(8);
  header.writeBigUInt64BE(BigInt(size));
  sock.write(header);
  const hash = createHash('sha256');
  const rs = fs.createReadStream(file, { highWaterMark: HWM });
  rs.on('data', (chunk) => {
    hash.update(chunk);
    if (!sock.write(chunk)) { rs.pause(); sock.once('drain', () => rs.resume()); }
  });
  rs.on('error', (err) => { console.error(`sender: ${err.message}`); process.exit(1); });
  rs.on('end', () => sock.write(hash.digest()));
});
let answer = '';
sock.on('data', (d) => { answer += d.toString(); });
sock.on('end', () => {
  if (answer !== 'OK') { console.error(`sender: receiver answered ${JSON.stringify(answer)}`); process.exit(1); }
  process.stdout.write(`${JSON.stringify({ bytes: size, hwm: sock.writableHighWaterMark })}\n`);
  sock.end();
});
sock.on('error', (err) => { console.error(`sender: ${err.message}`); process.exit(1); });
