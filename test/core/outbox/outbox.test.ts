import { describe, expect, it } from 'vitest';
import { ManualClock, seededRandom } from '../../../src/core/clock.js';
import { Outbox, type OutboxItem, type OutboxRecord } from '../../../src/core/outbox/outbox.js';
import type { RecordLog } from '../../../src/core/record-log.js';
import { BACKOFF_MS } from '../../../src/core/outbox/backoff.js';
import { deviceIdFromBytes } from '../../../src/protocol/device-id.js';

class CountingLog implements RecordLog<OutboxRecord> {
  records: OutboxRecord[] = [];
  appendsStarted = 0;
  async append(r: OutboxRecord) {
    this.appendsStarted++;
    await new Promise((res) => setImmediate(res));
    this.records.push(structuredClone(r));
  }
  async readAll() {
    return structuredClone(this.records);
  }
  async rewrite(rs: OutboxRecord[]) {
    this.records = structuredClone(rs);
  }
}

const peer = deviceIdFromBytes(Buffer.alloc(32, 3));
const other = deviceIdFromBytes(Buffer.alloc(32, 4));
const chat = (id: string, key = id) => ({ id, peerId: peer, kind: 'chat' as const, dedupeKey: key, payload: { text: id }, createdAt: 1 });

function setup(log = new CountingLog()) {
  const clock = new ManualClock();
  const box = new Outbox(log, clock, seededRandom(7));
  const due: OutboxItem[] = [];
  return { clock, box, log, due, start: () => box.start((it) => due.push(it)) };
}

describe('Outbox', () => {
  it('is on disk before add() resolves', async () => {
    const { box, log } = setup();
    await box.open();
    const p = box.add(chat('m1'));
    expect(log.records).toHaveLength(0);
    await p;
    expect(log.records).toEqual([{ op: 'add', item: chat('m1') }]);
  });

  it('treats the same pending work queued twice as one item', async () => {
    const { box, log } = setup();
    await box.open();
    const a = await box.add(chat('m1', 'same'));
    const b = await box.add({ ...chat('m2', 'same') });
    expect(b.duplicate).toBe(true);
    expect(b.item.id).toBe(a.item.id);
    expect(box.list()).toHaveLength(1);
    expect(log.records).toHaveLength(1);
    // Another peer with the same key is separate work.
    const c = await box.add({ ...chat('m3', 'same'), peerId: other });
    expect(c.duplicate).toBe(false);
  });

  it('hands due items to the deliverer and backs off after failures', async () => {
    const { box, clock, due, start } = setup();
    await box.open();
    start();
    await box.add(chat('m1'));
    clock.advance(0);
    expect(due.map((d) => d.id)).toEqual(['m1']);
    expect(box.get('m1')!.state).toBe('sending');
    await box.markRetry('m1', { code: 'ERR_PEER_UNREACHABLE', message: 'offline' });
    const it1 = box.get('m1')!;
    expect(it1.attempts).toBe(1);
    expect(it1.state).toBe('queued');
    const wait = it1.nextAttemptAt! - clock.now();
    expect(wait).toBeGreaterThanOrEqual(BACKOFF_MS[0]! * 0.8);
    expect(wait).toBeLessThanOrEqual(BACKOFF_MS[0]! * 1.2);
    clock.advance(wait - 1);
    expect(due).toHaveLength(1);
    clock.advance(1);
    expect(due).toHaveLength(2);
  });

  it('retries at once when the peer is seen again', async () => {
    const { box, clock, due, start } = setup();
    await box.open();
    start();
    await box.add(chat('m1'));
    clock.advance(0);
    await box.markRetry('m1', { code: 'ERR_PEER_UNREACHABLE', message: 'offline' });
    await box.markRetry('m1', { code: 'ERR_PEER_UNREACHABLE', message: 'offline' });
    expect(due).toHaveLength(1);
    box.peerSeen(peer);
    clock.advance(0);
    expect(due).toHaveLength(2);
  });

  it('survives a restart: pending work is queued again, finished work stays finished', async () => {
    const first = setup();
    await first.box.open();
    first.start();
    await first.box.add(chat('m1'));
    await first.box.add(chat('m2'));
    await first.box.add(chat('m3'));
    first.clock.advance(0);
    await first.box.markDelivered('m1');
    await first.box.cancel('m3');
    // m2 was "sending" when the process died.
    const second = setup(first.log);
    await second.box.open();
    second.start();
    expect(second.box.get('m1')!.state).toBe('delivered');
    expect(second.box.get('m3')!.state).toBe('cancelled');
    expect(second.box.get('m2')!.state).toBe('queued');
    second.clock.advance(0);
    expect(second.due.map((d) => d.id)).toEqual(['m2']);
  });

  it('compacts its journal without changing what it holds', async () => {
    const { box, clock, log, start } = setup();
    await box.open();
    start();
    for (let i = 0; i < 1000; i++) {
      await box.add(chat(`m${i}`));
      clock.advance(0);
      if (i % 10) await box.markDelivered(`m${i}`);
      else await box.markRetry(`m${i}`, { code: 'X', message: 'y' });
    }
    const before = box.list().map((it) => [it.id, it.state, it.attempts]);
    expect(log.records.length).toBeLessThan(1000);
    const again = setup(log);
    await again.box.open();
    const after = again.box.list().map((it) => [it.id, it.state, it.attempts]);
    // Only old delivered items may have been dropped; everything pending is intact.
    const pendingBefore = before.filter((x) => x[1] === 'queued' || x[1] === 'sending').map((x) => x[0]);
    const pendingAfter = after.filter((x) => x[1] === 'queued').map((x) => x[0]);
    expect(pendingAfter).toEqual(pendingBefore);
    for (const row of after) expect(before).toContainEqual(row[1] === 'queued' ? [row[0], expect.anything(), row[2]] : row);
  });

  it('retries at once when the peer is seen while an attempt is failing for want of it', async () => {
    const { box, clock, due, start } = setup();
    await box.open();
    start();
    await box.add(chat('m1'));
    clock.advance(0);
    expect(box.get('m1')!.state).toBe('sending');
    box.peerSeen(peer); // the session came up while the attempt was still deciding "offline"
    await box.markRetry('m1', { code: 'ERR_PEER_OFFLINE', message: 'offline' });
    expect(box.get('m1')!.nextAttemptAt).toBe(clock.now());
    clock.advance(0);
    expect(due).toHaveLength(2);
  });
});
