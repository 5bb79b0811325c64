/**
 * Receiver: the first frame of an inbound bulk connection must be BULK_OPEN,
 * within BULK_OPEN_TIMEOUT_MS. Reads exactly that frame, pauses the socket, and
 * hands back any bytes that came after it in the same read, so the chunk
 * reader that takes over loses nothing.
 */
import { FRAME_HEADER_BYTES, MAX_CONTROL_BYTES } from '../../protocol/constants.js';
import { decodeMessage, frameTypeOf, type BulkOpen } from '../../protocol/messages/index.js';
import type { Clock } from '../clock.js';
import { EngineError } from '../errors.js';
import type { PeerSocket } from '../tls/peer-socket.js';

export function readBulkOpen(socket: PeerSocket, clock: Clock, timeoutMs: number): Promise<{ open: BulkOpen; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buffered: Buffer = Buffer.alloc(0);
    const done = (err: EngineError | undefined, value?: { open: BulkOpen; rest: Buffer }) => {
      clock.clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      if (err) {
        socket.close(err);
        reject(err);
      } else resolve(value!);
    };
    const onClose = () => done(new EngineError('ERR_CONNECTION_CLOSED', 'bulk connection closed before BULK_OPEN', 'retryable'));
    const onData = (buf: Buffer) => {
      buffered = buffered.length === 0 ? buf : Buffer.concat([buffered, buf]);
      if (buffered.length < FRAME_HEADER_BYTES) return;
      const type = buffered[0]!;
      const length = buffered.readUInt32BE(1);
      if (type !== frameTypeOf('BULK_OPEN') || length > MAX_CONTROL_BYTES) {
        return done(new EngineError('ERR_TRANSFER_PROTOCOL', 'a bulk connection must start with BULK_OPEN', 'peer-fault'));
      }
      if (buffered.length < FRAME_HEADER_BYTES + length) return;
      socket.pause(); // whatever arrives next waits for the chunk reader
      try {
        const open = decodeMessage({ type, payload: buffered.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + length) }) as BulkOpen;
        done(undefined, { open, rest: buffered.subarray(FRAME_HEADER_BYTES + length) });
      } catch (err) {
        done(new EngineError('ERR_TRANSFER_PROTOCOL', `bad BULK_OPEN: ${(err as Error).message}`, 'peer-fault'));
      }
    };
    const timer = clock.setTimeout(() => done(new EngineError('ERR_TIMEOUT', `no BULK_OPEN within ${timeoutMs} ms`, 'peer-fault')), timeoutMs);
    socket.on('data', onData);
    socket.on('close', onClose);
  });
}
