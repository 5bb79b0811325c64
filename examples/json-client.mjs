// JSON request/response client: a few calls, answers matched by id.
//   PEERDECK_CONFIG_DIR=./client PEERDECK_PEERS=127.0.0.1:51515 node examples/json-client.mjs json-server
import { createPeer } from 'peerdeck';
import { online, peerOptions } from './options.mjs';

const server = process.argv[2];
const peer = await createPeer(peerOptions('json-client'));
try {
  await online(peer, server);
  const conn = await peer.connect(server, { type: 'json', strict: true, timeoutMs: 5000 });
  let nextId = 1;
  const call = async (method, ...params) => {
    const id = nextId++;
    await conn.send({ id, method, params });
    const { value } = await conn.read();
    if (value.id !== id) throw new Error(`answer ${value.id} to request ${id}`);
    if (value.error) throw new Error(value.error);
    return value.result;
  };
  console.log(`add(2, 3) = ${await call('add', 2, 3)}`);
  console.log(`upper("peer") = ${await call('upper', 'peer')}`);
  await call('nope').catch((err) => console.log(`nope() failed: ${err.message}`));
  conn.close();
} finally {
  await peer.close();
}
