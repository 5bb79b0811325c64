// Telemetry sensor: streams COUNT fixed-size records (16 bytes each) to the monitor.
//   PEERDECK_CONFIG_DIR=./sensor PEERDECK_PEERS=127.0.0.1:51515 node examples/telemetry-sensor.mjs telemetry-monitor 10
import { createPeer } from 'peerdeck';
import { online, peerOptions } from './options.mjs';

const [monitor, count = '10'] = process.argv.slice(2);
const peer = await createPeer(peerOptions('telemetry-sensor'));
try {
  await online(peer, monitor);
  const conn = await peer.connect(monitor, { type: 'bytes', size: 16, strict: true, timeoutMs: 5000 });
  for (let seq = 0; seq < Number(count); seq++) {
    const rec = new Uint8Array(16);
    const view = new DataView(rec.buffer);
    view.setUint32(0, seq);
    view.setUint32(4, 7); // sensor id
    view.setFloat64(8, 20 + seq / 4); // a reading
    await conn.send(rec); // waits when the monitor reads slower than we send
  }
  conn.close();
  console.log(`sent ${count} records`);
} finally {
  await peer.close();
}
