/**
 * The inbound gate: turns a datagram into a packet worth acting on, or drops
 * and counts it, cheapest check first: size, source subnet, rate, then decode.
 */
import { decodeDiscoveryPacket, MAX_PACKET_BYTES, type DecodedDiscoveryPacket } from '../../protocol/discovery-packet.js';
import { isProtocolError } from '../../protocol/errors.js';
import type { Clock } from '../clock.js';
import { INBOUND_GLOBAL, INBOUND_PER_SOURCE, MAX_RATE_LIMIT_KEYS } from './constants.js';
import type { DiscoveryCounters } from './events.js';
import { isLocalSource, type LocalNetwork } from './local-networks.js';
import { KeyedRateLimiter, TokenBucket } from './rate-limiter.js';
import type { Datagram } from './udp-socket.js';

export class Intake {
  private readonly perSource: KeyedRateLimiter;
  private readonly overall: TokenBucket;

  constructor(
    private readonly counters: DiscoveryCounters,
    clock: Pick<Clock, 'now'>,
  ) {
    this.perSource = new KeyedRateLimiter(INBOUND_PER_SOURCE, clock, MAX_RATE_LIMIT_KEYS);
    this.overall = new TokenBucket(INBOUND_GLOBAL, clock);
  }

  admit(datagram: Datagram, networks: readonly LocalNetwork[]): DecodedDiscoveryPacket | undefined {
    const c = this.counters;
    c.received++;
    if (datagram.data.length > MAX_PACKET_BYTES) {
      c.oversized++;
      return undefined;
    }
    if (!isLocalSource(datagram.address, networks)) {
      c.nonLocalDropped++;
      return undefined;
    }
    // Per source address first, so one flooding host does not spend the overall budget.
    if (!this.perSource.tryTake(datagram.address) || !this.overall.tryTake()) {
      c.floodDropped++;
      return undefined;
    }
    try {
      return decodeDiscoveryPacket(datagram.data);
    } catch (err) {
      if (isProtocolError(err, 'ERR_VERSION_MISMATCH')) c.versionMismatch++;
      else c.malformed++;
      return undefined;
    }
  }

  clear(): void {
    this.perSource.clear();
  }
}
