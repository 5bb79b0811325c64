/** The pure rules for what discovery may change about a peer (discovery-trust.ts). */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { DISCOVERED_EVENT_COALESCE_MS, HINT_BACKOFF_MAX_MS, HINT_BACKOFF_MIN_MS, HintBackoff, onDeparture, onSighting, pinnedTargets } from '../../../src/core/connections/discovery-trust.js';
import type { DeviceId } from '../../../src/protocol/device-id.js';

const id = 'a'.repeat(64) as DeviceId;
const base = { firstTime: true, moved: true, pinned: true, hasSession: false, connecting: false, hintBackedOff: false };

describe('discovery-trust', () => {
  it('a live session outranks discovery: no peer-left, no peer-discovered, no dial', () => {
    expect(onDeparture('bye', true)).toEqual({ emitLeft: false });
    expect(onDeparture('bye', false)).toEqual({ emitLeft: true });
    expect(onDeparture('expired', false)).toEqual({ emitLeft: false });
    expect(onSighting({ ...base, hasSession: true })).toEqual({ emit: false, dialNow: false });
    expect(onSighting(base)).toEqual({ emit: true, dialNow: true });
    expect(onSighting({ ...base, hintBackedOff: true })).toEqual({ emit: true, dialNow: false });
  });

  it('a peer seen at another address again soon after its last event makes no new event', () => {
    const again = { ...base, firstTime: false, moved: true };
    expect(onSighting({ ...again, msSinceEvent: DISCOVERED_EVENT_COALESCE_MS - 1 }).emit).toBe(false);
    expect(onSighting({ ...again, msSinceEvent: DISCOVERED_EVENT_COALESCE_MS }).emit).toBe(true);
    expect(onSighting({ ...again, msSinceEvent: undefined }).emit).toBe(true);
    expect(onSighting({ ...again, moved: false, msSinceEvent: 60_000 }).emit).toBe(false);
  });

  it('the last authenticated address comes first; the announced one only in addition', () => {
    const pin = { host: '10.0.0.2', port: 5000 };
    const hint = { host: '10.0.0.66', port: 6000 };
    expect(pinnedTargets(pin, hint, true)).toEqual([{ ...pin, loud: true }, { ...hint, loud: false }]);
    expect(pinnedTargets(pin, hint, false)).toEqual([{ ...pin, loud: true }]);
    expect(pinnedTargets(pin, { ...pin }, true)).toEqual([{ ...pin, loud: true }]);
    expect(pinnedTargets(undefined, hint, true)).toEqual([{ ...hint, loud: false }]);
  });

  it('backs off per address and per peer, doubling up to the max; a session clears it', () => {
    const clock = new ManualClock();
    const h = new HintBackoff(clock);
    const a = { host: '10.0.0.66', port: 1 };
    const other = { host: '10.0.0.67', port: 2 };
    h.failed(id, a);
    expect(h.backedOff(id, a)).toBe(true);
    expect(h.backedOff(id, other)).toBe(true); // a rotating spoofer gets no fresh dial per address
    clock.advance(HINT_BACKOFF_MIN_MS);
    expect(h.backedOff(id, a)).toBe(false);
    h.failed(id, a);
    clock.advance(HINT_BACKOFF_MIN_MS);
    expect(h.backedOff(id, a)).toBe(true);
    clock.advance(HINT_BACKOFF_MIN_MS);
    expect(h.backedOff(id, a)).toBe(false);
    for (let i = 0; i < 20; i++) h.failed(id, a);
    clock.advance(HINT_BACKOFF_MAX_MS);
    expect(h.backedOff(id, a)).toBe(false);
    h.failed(id, a);
    h.succeeded(id, a);
    expect(h.backedOff(id, a)).toBe(false);
  });
});
