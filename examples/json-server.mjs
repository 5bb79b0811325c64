// JSON request/response: requests { id, method, params } get { id, result } or { id, error }.
//   PEERDECK_CONFIG_DIR=./server node examples/json-server.mjs
import { createPeer } from 'peerdeck';
import { closeOnSignal, peerOptions } from './options.mjs';

const methods = {
  add: (a, b) => a + b,
  upper: (s) => String(s).toUpperCase(),
  time: () => new Date().toISOString(),
};

const peer = await createPeer(peerOptions('json-server'));
closeOnSignal(peer);
console.log(`listening on ${peer.port} as ${peer.deviceId}`);

peer.on('connection-request', (req) => {
  if (req.type !== 'json') return req.deny('json only');
  const conn = req.accept();
  (async () => {
    for await (const { id, method, params = [] } of conn) {
      const fn = Object.hasOwn(methods, method) ? methods[method] : undefined;
      await conn.send(fn ? { id, result: fn(...params) } : { id, error: `no method ${method}` });
    }
  })().catch((err) => console.error(`connection ended: ${err.code}`));
});
