/**
 * Liveness: HEARTBEAT carries a sequence number and the sender's clock reading;
 * HEARTBEAT_ACK echoes both so the sender computes RTT from its own clock.
 */
import * as z from 'zod';
import { jsonCodec, uintSchema, type MessageOf } from './codec.js';

/** `t` is opaque to the receiver (the sender's monotonic milliseconds); only finiteness is checked. */
const beatSchema = z.object({ seq: uintSchema, t: z.number() });

export const heartbeatCodec = jsonCodec('HEARTBEAT', 0x20, beatSchema);
export const heartbeatAckCodec = jsonCodec('HEARTBEAT_ACK', 0x21, beatSchema);

export type Heartbeat = MessageOf<typeof heartbeatCodec>;
export type HeartbeatAck = MessageOf<typeof heartbeatAckCodec>;

export const heartbeatCodecs = [heartbeatCodec, heartbeatAckCodec] as const;
