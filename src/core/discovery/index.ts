/** LAN discovery: the service and the pieces it is built from. */
export * from './constants.js';
export { Discovery, type DiscoveryOptions } from './discovery.js';
export { DiscoveryError, type DiscoveryErrorCode } from './errors.js';
export type * from './events.js';
export {
  defaultBroadcastTargets,
  isLocalSource,
  isOwnAddress,
  LIMITED_BROADCAST,
  localNetworks,
  type InterfaceAddress,
  type InterfaceMap,
  type LocalNetwork,
} from './local-networks.js';
export { PeerTable, type DiscoveredPeer, type PeerSighting } from './peer-table.js';
export { KeyedRateLimiter, TokenBucket, type BucketConfig } from './rate-limiter.js';
export { createNodeUdpSocket, type Datagram, type UdpSocket } from './udp-socket.js';
