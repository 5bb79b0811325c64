// Telemetry monitor: takes fixed-size streams (16-byte records: u32 seq, u32 sensor, f64 value) and prints them.
//   PEERDECK_CONFIG_DIR=./monitor node examples/telemetry-monitor.mjs
import { createPeer } from 'peerdeck';
import { closeOnSignal, peerOptions } from './options.mjs';

const RECORD_BYTES = 16;

const peer = await createPeer(peerOptions('telemetry-monitor'));
closeOnSignal(peer);
console.log(`listening on ${peer.port} as ${peer.deviceId}`);

for await (const req of peer.requests()) {
  if (req.type !== 'bytes' || req.size !== RECORD_BYTES || !req.strict) {
    req.deny(`strict bytes of size ${RECORD_BYTES} only`);
    continue;
  }
  const conn = req.accept();
  (async () => {
    let n = 0;
    for await (const rec of conn) {
      const view = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
      console.log(`seq=${view.getUint32(0)} sensor=${view.getUint32(4)} value=${view.getFloat64(8).toFixed(2)}`);
      n++;
    }
    console.log(`stream ended after ${n} records`);
  })().catch((err) => console.error(`stream broken: ${err.code}`));
}
