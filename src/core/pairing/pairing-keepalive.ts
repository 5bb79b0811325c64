/**
 * Keeps a pairing connection alive while humans compare codes. The pairing
 * window (PAIRING_TIMEOUT_MS, minutes) is far longer than the connection's
 * idle timeout (IDLE_TIMEOUT_MS, seconds), and nothing else flows while a
 * person reads: so both sides exchange HEARTBEAT / HEARTBEAT_ACK, as sessions
 * do. A peer that stops answering ends the attempt within
 * PAIRING_SILENCE_MS instead of at the deadline.
 */
import type { Message } from '../../protocol/messages/index.js';
import type { Clock } from '../clock.js';
import { Heartbeat } from '../connections/heartbeat.js';

/** Well under the idle timeout, so one lost beat never closes the connection. */
export const PAIRING_BEAT_INTERVAL_MS = 2_000;
/** A peer silent this long is gone (a person may be slow, their engine is not). */
export const PAIRING_SILENCE_MS = 10_000;

export class PairingKeepalive {
  private readonly beat: Heartbeat;

  constructor(clock: Clock, send: (msg: Message) => void, onSilent: (message: string) => void) {
    this.beat = new Heartbeat(
      clock,
      {
        send: (seq, t) => send({ type: 'HEARTBEAT', seq, t }),
        onRtt: () => {},
        onDead: (ms) => onSilent(`the other device stopped answering (silent for ${Math.round(ms / 1000)} s)`),
      },
      PAIRING_BEAT_INTERVAL_MS,
      PAIRING_SILENCE_MS,
    );
  }

  start(): void {
    this.beat.start();
  }

  /**
   * Every message from the peer goes through here first: true when it was a
   * heartbeat (answered here), false when it is for the pairing flow.
   */
  take(msg: Message, send: (msg: Message) => void): boolean {
    if (msg.type === 'HEARTBEAT') {
      this.beat.heard();
      send({ type: 'HEARTBEAT_ACK', seq: msg.seq, t: msg.t });
      return true;
    }
    if (msg.type === 'HEARTBEAT_ACK') {
      this.beat.ack(msg.t);
      return true;
    }
    this.beat.heard();
    return false;
  }

  stop(): void {
    this.beat.stop();
  }
}
