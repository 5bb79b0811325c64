import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { SnapshotPublisher } from '../../../src/core/engine/snapshot-publisher.js';

describe('SnapshotPublisher', () => {
  it('publishes at most once per interval however often the state changes', () => {
    const clock = new ManualClock();
    const pub = new SnapshotPublisher({ n: 0 }, clock, 100);
    let notified = 0;
    pub.subscribe(() => notified++);
    for (let i = 0; i < 10_000; i++) {
      pub.update((s) => ({ n: s.n + 1 }));
      if (i % 100 === 0) clock.advance(1);
    }
    clock.advance(1_000);
    // 10,000 updates over ~100 ms of clock time: about 1-2 publishes, never thousands.
    expect(notified).toBeGreaterThanOrEqual(1);
    expect(notified).toBeLessThanOrEqual(3);
    expect(pub.getSnapshot().n).toBe(10_000);
  });

  it('keeps snapshots immutable: an unchanged state is the same object', () => {
    const clock = new ManualClock();
    const pub = new SnapshotPublisher({ peers: [1, 2] }, clock, 100);
    const before = pub.getSnapshot();
    pub.markDirty();
    clock.advance(200);
    expect(pub.getSnapshot()).toBe(before);
  });

  it('flushes urgent changes at once', () => {
    const clock = new ManualClock();
    const pub = new SnapshotPublisher({ n: 0 }, clock, 100);
    let notified = 0;
    pub.subscribe(() => notified++);
    pub.update((s) => ({ n: s.n + 1 }));
    clock.advance(100);
    expect(notified).toBe(1);
    pub.update((s) => ({ n: s.n + 1 }));
    pub.update((s) => ({ n: s.n + 1 }), true);
    clock.advance(0);
    expect(notified).toBe(2);
  });

  it('samples hot counters only when it publishes', () => {
    const clock = new ManualClock();
    let sampled = 0;
    const pub = new SnapshotPublisher({ bytes: 0 }, clock, 100, (s) => {
      sampled++;
      return { bytes: s.bytes + 1 };
    });
    for (let i = 0; i < 1000; i++) pub.markDirty();
    clock.advance(500);
    expect(sampled).toBe(1);
    expect(pub.getSnapshot().bytes).toBe(1);
  });
});
