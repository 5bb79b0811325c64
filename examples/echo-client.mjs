// Echo client: sends each argument as a text message and prints what comes back.
//   PEERDECK_CONFIG_DIR=./client PEERDECK_PEERS=127.0.0.1:51515 node examples/echo-client.mjs echo-server hello world
import { createPeer } from 'peerdeck';
import { online, peerOptions } from './options.mjs';

const [server, ...words] = process.argv.slice(2);
const peer = await createPeer(peerOptions('echo-client'));
try {
  await online(peer, server);
  const conn = await peer.connect(server, { type: 'text', timeoutMs: 5000 });
  for (const word of words) {
    await conn.send(word);
    const { value } = await conn.read();
    console.log(`echo: ${value}`);
  }
  conn.close();
} finally {
  await peer.close();
}
