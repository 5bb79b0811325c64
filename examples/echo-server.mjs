// Echo server: every text or bytes message comes back unchanged.
//   PEERDECK_CONFIG_DIR=./server node examples/echo-server.mjs
import { createPeer } from 'peerdeck';
import { closeOnSignal, peerOptions } from './options.mjs';

const peer = await createPeer(peerOptions('echo-server'));
closeOnSignal(peer);
console.log(`listening on ${peer.port} as ${peer.deviceId}`);

for await (const req of peer.requests()) {
  if (req.type !== 'text' && req.type !== 'bytes') {
    req.deny('text or bytes only');
    continue;
  }
  const conn = req.accept();
  (async () => {
    for await (const msg of conn) await conn.send(msg);
  })().catch((err) => console.error(`connection ended: ${err.code}`));
}
