/** Discovery's typed events and counters. Payloads are plain data. */
import type { DeviceId } from '../../protocol/device-id.js';
import type { DiscoveryVersion } from '../../protocol/discovery-packet.js';

export interface PeerSeenEvent {
  readonly deviceId: DeviceId;
  /** As announced: unverified, unsanitised. */
  readonly name: string;
  /** The datagram's source IP. */
  readonly address: string;
  /** TCP port from the packet. */
  readonly port: number;
  readonly version: DiscoveryVersion;
  /** Not in the table before (new, or back after BYE / being forgotten). */
  readonly firstTime: boolean;
  /** Was marked stale and is heard again. */
  readonly wasStale: boolean;
  /** PING, PONG. */
  readonly via: 'ping' | 'pong';
}

export interface PeerStaleEvent {
  readonly deviceId: DeviceId;
  readonly name: string;
  readonly address: string;
  readonly port: number;
  /** Monotonic ms of the last packet. */
  readonly lastSeen: number;
}

export interface PeerGoneEvent {
  readonly deviceId: DeviceId;
  /** bye: it said so; expired: silent for FORGET_AFTER_MS; evicted: table full. */
  readonly reason: 'bye' | 'expired' | 'evicted';
}

/** Our own device ID announced from an address that is not ours (cloned config, or spoofing). */
export interface DuplicateIdentityEvent {
  readonly address: string;
  readonly port: number;
}

export interface DiscoveryErrorEvent {
  /** Where it happened; the service keeps running either way. */
  readonly during: 'send' | 'socket' | 'interfaces';
  /** System error code when there is one (ENETUNREACH…). */
  readonly errno?: string;
  readonly message: string;
  /** Destination of a failed send. */
  readonly target?: string;
}

export type DiscoveryEvents = {
  'peer-seen': PeerSeenEvent;
  'peer-stale': PeerStaleEvent;
  'peer-gone': PeerGoneEvent;
  'duplicate-identity': DuplicateIdentityEvent;
  error: DiscoveryErrorEvent;
};

export interface DiscoveryCounters {
  /** Every datagram that reached the socket. */
  received: number;
  /** Larger than MAX_PACKET_BYTES; dropped before anything else. */
  oversized: number;
  /** Source not loopback or on one of our subnets. */
  nonLocalDropped: number;
  /** Over the per-source or overall inbound rate. */
  floodDropped: number;
  /** A device ID not in the table, over the per-source or overall rate of new peers. */
  newPeerLimited: number;
  /** Failed to decode (bad magic, truncated, bad UTF-8…). */
  malformed: number;
  /** A different major protocol version. */
  versionMismatch: number;
  /** Our own device ID (our own broadcasts come back to us). */
  selfIgnored: number;
  /** Packets decoded and acted on (PING, PONG, BYE from others). */
  accepted: number;
  pingsSent: number;
  pongsSent: number;
  byesSent: number;
  /** Queries not answered because of the reply rate limits. */
  replyLimited: number;
  /** Failed sends (one per destination). */
  sendErrors: number;
  /** Socket errors outside send, and interface-listing failures. */
  socketErrors: number;
}

export function zeroCounters(): DiscoveryCounters {
  return {
    received: 0,
    oversized: 0,
    nonLocalDropped: 0,
    floodDropped: 0,
    newPeerLimited: 0,
    malformed: 0,
    versionMismatch: 0,
    selfIgnored: 0,
    accepted: 0,
    pingsSent: 0,
    pongsSent: 0,
    byesSent: 0,
    replyLimited: 0,
    sendErrors: 0,
    socketErrors: 0,
  };
}
