import { describe, expect, it } from 'vitest';
import { ChatHistory, HISTORY_PER_PEER, type ChatRecord } from '../../../src/core/chat/chat-history.js';
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
});
