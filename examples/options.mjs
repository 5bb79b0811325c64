// Shared by the examples: where the identity lives and whom to dial, from the environment.
//   PEERDECK_CONFIG_DIR  identity and pins (pin the other side first: `peerdeck pair` or `peerdeck trust add`)
//   PEERDECK_PORT        TCP port to listen on (default 0: any free port)
//   PEERDECK_PEERS       static peers to dial, "host:port,host:port"
//   PEERDECK_DOWNLOADS   where received files land
export function peerOptions(name) {
  const env = process.env;
  return {
    name,
    port: Number(env.PEERDECK_PORT ?? 0),
    discovery: env.PEERDECK_DISCOVERY === '1',
    ...(env.PEERDECK_CONFIG_DIR ? { configDir: env.PEERDECK_CONFIG_DIR } : {}),
    ...(env.PEERDECK_PEERS ? { peers: env.PEERDECK_PEERS.split(',') } : {}),
    ...(env.PEERDECK_DOWNLOADS ? { downloadsDir: env.PEERDECK_DOWNLOADS } : {}),
  };
}

/** Resolves once a session with the pinned peer `who` (name or device ID) is up. */
export function online(peer, who) {
  const isIt = (p) => p.name === who || p.deviceId === who;
  if (peer.peers().some((p) => isIt(p) && p.state === 'online')) return Promise.resolve();
  return new Promise((resolve) => {
    const on = (p) => isIt(p) && (peer.off('peer-online', on), resolve());
    peer.on('peer-online', on);
  });
}

/** Close the peer on Ctrl-C / SIGTERM (identity freed, journals saved). */
export function closeOnSignal(peer) {
  for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => peer.close().then(() => process.exit(0)));
}
