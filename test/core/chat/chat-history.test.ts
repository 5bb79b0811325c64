import { describe, expect, it } from 'vitest';
import { ChatHistory, HISTORY_CHARS_PER_PEER, HISTORY_PER_PEER, type ChatRecord } from '../../../src/core/chat/chat-history.js';
import { deviceIdFromBytes } from '../../../src/protocol/device-id.js';
import { MemoryLog } from '../../helpers/memory-log.js';

const peer = deviceIdFromBytes(Buffer.alloc(32, 5));

describe('ChatHistory', () => {
  it('keeps messages and states across reopen', async () => {
    const log = new MemoryLog<ChatRecord>();
    const h = new ChatHistory(log);
    await h.open();
    await h.add({ id: 'a', peerId: peer, dir: 'out', text: 'hi', at: 1, state: 'queued' });
    await h.add({ id: 'b', peerId: peer, dir: 'in', text: 'yo \u001b[2J', at: 2, state: 'received' });
    await h.setState(peer, 'a', 'delivered');
    const again = new ChatHistory(log);
    await again.open();
    expect(again.messages(peer).map((m) => [m.id, m.direction, m.state, m.text])).toEqual([
      ['a', 'out', 'delivered', 'hi'],
      ['b', 'in', 'received', 'yo \u001b[2J'],
    ]);
  });

  it('shows a re-sent message once', async () => {
    const h = new ChatHistory(new MemoryLog<ChatRecord>());
    await h.open();
    await h.add({ id: 'x', peerId: peer, dir: 'in', text: 'once', at: 1, state: 'received' });
    await h.add({ id: 'x', peerId: peer, dir: 'in', text: 'once', at: 1, state: 'received' });
    expect(h.messages(peer)).toHaveLength(1);
    expect(h.has(peer, 'x', 'in')).toBe(true);
  });

  it('caps memory per peer and compacts the journal', async () => {
    const log = new MemoryLog<ChatRecord>();
    const h = new ChatHistory(log);
    await h.open();
    for (let i = 0; i < HISTORY_PER_PEER * 6; i++) {
      await h.add({ id: `m${i}`, peerId: peer, dir: 'in', text: String(i), at: i, state: 'received' });
    }
    expect(h.messages(peer)).toHaveLength(HISTORY_PER_PEER);
    expect(h.messages(peer).at(-1)!.id).toBe(`m${HISTORY_PER_PEER * 6 - 1}`);
    expect(log.records.length).toBeLessThan(HISTORY_PER_PEER * 6);
  });

  it('runs at most one compaction at a time however fast messages land (issue 17), and loses none', async () => {
    // A rewrite that takes a while, keeping the RecordLog contract as the journal does:
    // records appended after rewrite() was called land after the rewritten ones.
    class SlowRewriteLog extends MemoryLog<ChatRecord> {
      running = 0;
      maxRunning = 0;
      rewrites = 0;
      private during: ChatRecord[] | undefined;
      override async append(r: ChatRecord): Promise<void> {
        this.during?.push(r);
        await super.append(r);
      }
      override async rewrite(rs: ChatRecord[]): Promise<void> {
        this.running++;
        this.rewrites++;
        this.maxRunning = Math.max(this.maxRunning, this.running);
        const during: ChatRecord[] = [];
        this.during = during;
        await new Promise((res) => setTimeout(res, 20));
        this.during = undefined;
        await super.rewrite(rs);
        for (const r of during) await super.append(r);
        this.running--;
      }
    }
    const log = new SlowRewriteLog();
    const h = new ChatHistory(log);
    await h.open();
    const total = HISTORY_PER_PEER * 12;
    // Back to back, 200 in flight at once: the shape of a flood read off one socket.
    for (let i = 0; i < total; i += 200) {
      await Promise.all(
        Array.from({ length: 200 }, (_, k) => h.add({ id: `m${i + k}`, peerId: peer, dir: 'in', text: 'x'.repeat(100), at: i + k, state: 'received' })),
      );
    }
    await h.idle();
    expect(log.maxRunning).toBe(1);
    // One compaction per ~(2 × 500 + 1000) new records, not one per message past the threshold.
    expect(log.rewrites).toBeLessThanOrEqual(Math.ceil(total / (2 * HISTORY_PER_PEER + 1000)) + 1);
    expect(h.compactions).toBe(log.rewrites);
    const again = new ChatHistory(log);
    await again.open();
    expect(again.messages(peer).map((m) => m.id)).toEqual(h.messages(peer).map((m) => m.id));
    expect(again.messages(peer).at(-1)!.id).toBe(`m${total - 1}`);
  });

  it('caps the text kept per peer, so large messages hold at most HISTORY_CHARS_PER_PEER in memory', async () => {
    const h = new ChatHistory(new MemoryLog<ChatRecord>());
    await h.open();
    const big = 'y'.repeat(16 * 1024);
    for (let i = 0; i < 300; i++) await h.add({ id: `b${i}`, peerId: peer, dir: 'in', text: big, at: i, state: 'received' });
    const kept = h.messages(peer);
    expect(kept.reduce((n, m) => n + m.text.length, 0)).toBeLessThanOrEqual(HISTORY_CHARS_PER_PEER);
    expect(kept).toHaveLength(HISTORY_CHARS_PER_PEER / big.length);
    expect(kept.at(-1)!.id).toBe('b299');
  });

  it('takes a message back when its append fails, so a re-send stores it', async () => {
    class FailingLog extends MemoryLog<ChatRecord> {
      fail = true;
      override async append(r: ChatRecord): Promise<void> {
        if (this.fail) throw new Error('disk full');
        return super.append(r);
      }
    }
    const log = new FailingLog();
    const h = new ChatHistory(log);
    await h.open();
    await expect(h.add({ id: 'a', peerId: peer, dir: 'in', text: 'hi', at: 1, state: 'received' })).rejects.toThrow('disk full');
    expect(h.has(peer, 'a', 'in')).toBe(false);
    log.fail = false;
    await h.add({ id: 'a', peerId: peer, dir: 'in', text: 'hi', at: 1, state: 'received' });
    expect(log.records.map((r) => r.id)).toEqual(['a']);
  });
});
