import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { PAIRING_BEAT_INTERVAL_MS, PAIRING_SILENCE_MS, PairingKeepalive } from '../../../src/core/pairing/pairing-keepalive.js';
import { IDLE_TIMEOUT_MS } from '../../../src/core/tls/tls-options.js';
import type { Message } from '../../../src/protocol/messages/index.js';

function setup() {
  const clock = new ManualClock();
  const sent: Message[] = [];
  const silent: string[] = [];
  const k = new PairingKeepalive(clock, (m) => sent.push(m), (why) => silent.push(why));
  k.start();
  return { clock, sent, silent, k };
}

describe('PairingKeepalive', () => {
  it('beats well inside the idle timeout and answers the peer\'s beats; pairing messages pass through', () => {
    expect(PAIRING_BEAT_INTERVAL_MS * 2).toBeLessThan(IDLE_TIMEOUT_MS);
    const { clock, sent, k } = setup();
    clock.advance(PAIRING_BEAT_INTERVAL_MS * 3);
    expect(sent.filter((m) => m.type === 'HEARTBEAT').length).toBeGreaterThanOrEqual(3);
    const reply: Message[] = [];
    expect(k.take({ type: 'HEARTBEAT', seq: 7, t: 1 }, (m) => reply.push(m))).toBe(true);
    expect(reply).toEqual([{ type: 'HEARTBEAT_ACK', seq: 7, t: 1 }]);
    expect(k.take({ type: 'HEARTBEAT_ACK', seq: 1, t: 0 }, () => {})).toBe(true);
    expect(k.take({ type: 'PAIR_CONFIRM' }, () => {})).toBe(false);
    k.stop();
  });

  it('a peer that keeps answering is never silent; one that stops is reported within PAIRING_SILENCE_MS', () => {
    const { clock, silent, k } = setup();
    for (let t = 0; t < 60_000; t += 1_000) {
      clock.advance(1_000);
      k.take({ type: 'HEARTBEAT_ACK', seq: 1, t: clock.now() }, () => {});
    }
    expect(silent).toEqual([]);
    clock.advance(PAIRING_SILENCE_MS + PAIRING_BEAT_INTERVAL_MS);
    expect(silent).toHaveLength(1);
    expect(silent[0]).toMatch(/stopped answering/);
    k.stop();
  });
});
