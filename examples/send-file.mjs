// Push files through the verified, resumable transfer (as `peerdeck send`) and wait until delivered.
// The receiver is any running peer that has this one pinned with auto-accept (or accepts by hand),
// e.g. `peerdeck listen` or one of the servers here with PEERDECK_DOWNLOADS set.
//   PEERDECK_CONFIG_DIR=./client PEERDECK_PEERS=127.0.0.1:51515 node examples/send-file.mjs echo-server ./report.pdf
import { createPeer } from 'peerdeck';
import { online, peerOptions } from './options.mjs';

const [receiver, ...files] = process.argv.slice(2);
const peer = await createPeer(peerOptions('file-sender'));
try {
  await online(peer, receiver);
  const { id, state } = await peer.sendFiles(receiver, files, { wait: true, signal: AbortSignal.timeout(60_000) });
  console.log(`transfer ${id}: ${state}`);
} finally {
  await peer.close();
}
