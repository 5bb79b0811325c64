import { describe, expect, it } from 'vitest';
import { ManualClock, seededRandom } from '../../../src/core/clock.js';
import { FINISHED_MAX_AGE_MS, Outbox, type OutboxItem, type OutboxRecord } from '../../../src/core/outbox/outbox.js';
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
const chat = (id: string, key = id) => ({ id, peerId: peer, kind: 'chat' as const, dedupeKey: key, payload: { text: id }, createdAt: 1_700_000_000_000 });

function setup(log = new CountingLog(), options: { ownWorkOnly?: boolean } = {}, clock = new ManualClock()) {
  const box = new Outbox(log, clock, seededRandom(7), options);
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

  it('counts only real tries: waiting for an offline peer adds no attempt and writes nothing', async () => {
    const { box, clock, log, start } = setup();
    await box.open();
    start();
    await box.add(chat('m1'));
    const records = log.records.length;
    for (let i = 0; i < 5; i++) {
      clock.advance(10 * 60_000);
      await box.markRetry('m1', { code: 'ERR_PEER_OFFLINE', message: 'peer is offline' });
    }
    expect(box.get('m1')!.attempts).toBe(0);
    expect(box.get('m1')!.lastError?.code).toBe('ERR_PEER_OFFLINE');
    expect(log.records.length).toBe(records);
    // The backoff still grows while it waits.
    expect(box.get('m1')!.nextAttemptAt! - clock.now()).toBeGreaterThan(BACKOFF_MS[0]! * 2);
    clock.advance(10 * 60_000);
    await box.markRetry('m1', { code: 'ERR_TIMEOUT', message: 'no acknowledgement' });
    expect(box.get('m1')!.attempts).toBe(1);
  });

  it('with ownWorkOnly (a private engine) hands over only work queued or retried in this process', async () => {
    const first = setup();
    await first.box.open();
    await first.box.add(chat('old'));
    await first.box.add(chat('asked'));
    const second = setup(first.log, { ownWorkOnly: true });
    await second.box.open();
    second.start();
    await second.box.add(chat('new'));
    second.clock.advance(0);
    expect(second.due.map((d) => d.id)).toEqual(['new']);
    expect(second.box.retryNow('asked')).toBe(true);
    second.clock.advance(0);
    expect(second.due.map((d) => d.id)).toEqual(['new', 'asked']);
    second.clock.advance(3600_000);
    expect(second.due.map((d) => d.id)).not.toContain('old');
    expect(second.box.get('old')!.attempts).toBe(0);
  });

  it('drops delivered and cancelled items older than 7 days on open, and all of them on clearFinished()', async () => {
    const clock = new ManualClock();
    const first = setup(undefined, {}, clock);
    await first.box.open();
    first.start();
    const at = clock.wallNow();
    for (const id of ['done', 'gone', 'waiting', 'failed']) await first.box.add({ ...chat(id), createdAt: at });
    await first.box.add({ ...chat('fresh'), createdAt: at + FINISHED_MAX_AGE_MS });
    await first.box.markDelivered('done');
    await first.box.cancel('gone');
    await first.box.markFailed('failed', { code: 'ERR_DENIED', message: 'no' });
    await first.box.markDelivered('fresh');
    clock.advance(FINISHED_MAX_AGE_MS + 1000);
    const second = setup(first.log, {}, clock);
    await second.box.open();
    expect(second.box.list().map((i) => i.id).sort()).toEqual(['failed', 'fresh', 'waiting']);
    // ...and the journal no longer holds them.
    const third = setup(first.log, {}, clock);
    await third.box.open();
    expect(third.box.list().map((i) => i.id).sort()).toEqual(['failed', 'fresh', 'waiting']);
    expect(await third.box.clearFinished()).toBe(1);
    expect(third.box.list().map((i) => i.id).sort()).toEqual(['failed', 'waiting']);
  });
});
