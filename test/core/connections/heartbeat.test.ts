import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { Heartbeat, HEARTBEAT_INTERVAL_MS, HEARTBEAT_TIMEOUT_MS } from '../../../src/core/connections/heartbeat.js';

function setup() {
  const clock = new ManualClock();
  const sent: Array<[number, number]> = [];
  const rtts: number[] = [];
  let dead: number | undefined;
  const hb = new Heartbeat(clock, {
    send: (seq, t) => sent.push([seq, t]),
    onRtt: (ms) => rtts.push(ms),
    onDead: (ms) => (dead = ms),
  });
  return { clock, hb, sent, rtts, dead: () => dead };
}

describe('Heartbeat', () => {
  it('beats every interval and measures the round trip', () => {
    const { clock, hb, sent, rtts } = setup();
    hb.start();
    expect(sent).toHaveLength(1);
    clock.advance(HEARTBEAT_INTERVAL_MS * 3);
    expect(sent).toHaveLength(4);
    const [, t] = sent[3]!;
    clock.advance(7);
    hb.ack(t);
    expect(rtts).toEqual([7]);
    expect(hb.rttMs).toBe(7);
  });

  it('declares a silent peer dead within the timeout, not before', () => {
    const { clock, hb, dead } = setup();
    hb.start();
    clock.advance(HEARTBEAT_TIMEOUT_MS - 1);
    expect(dead()).toBeUndefined();
    clock.advance(HEARTBEAT_INTERVAL_MS);
    expect(dead()).toBeGreaterThanOrEqual(HEARTBEAT_TIMEOUT_MS);
    expect(HEARTBEAT_TIMEOUT_MS + HEARTBEAT_INTERVAL_MS).toBeLessThanOrEqual(6_000);
  });

  it('stays alive while the peer is heard', () => {
    const { clock, hb, dead } = setup();
    hb.start();
    for (let i = 0; i < 100; i++) {
      clock.advance(HEARTBEAT_INTERVAL_MS);
      hb.heard();
    }
    expect(dead()).toBeUndefined();
  });
});
