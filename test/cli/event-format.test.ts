import { describe, expect, it } from 'vitest';
import { formatEvent } from '../../src/cli/event-format.js';
import { deviceIdFromBytes } from '../../src/protocol/device-id.js';
import type { EngineEvent } from '../../src/core/engine/events.js';

const id = deviceIdFromBytes(Buffer.alloc(32, 6));
const evil = 'mal\u001b]0;title\u0007lory\u001b[2J\u009b31m\u202e\u200b';
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200b-\u200f]/;

describe('human event lines', () => {
  it('neutralise every peer-supplied string', () => {
    const events: EngineEvent[] = [
      { type: 'peer-discovered', deviceId: id, name: evil, address: '127.0.0.1', port: 1, verified: false },
      { type: 'peer-online', deviceId: id, name: evil, address: '127.0.0.1' },
      { type: 'peer-offline', deviceId: id, name: evil, reason: evil },
      { type: 'pair-request', pairingId: 'p', deviceId: id, name: evil, address: 'x', code: '123456', direction: 'incoming' },
      { type: 'pair-failed', pairingId: 'p', deviceId: id, name: evil, code: 'X', message: evil },
      { type: 'chat-received', deviceId: id, name: evil, id: 'm', text: `${evil}\nsecond line`, at: 0 },
      { type: 'transfer-offered', id: 't', deviceId: id, name: evil, files: 1, total: 1 },
    ];
    for (const e of events) {
      const line = formatEvent(e)!;
      expect(line).not.toMatch(RAW);
      expect(line).not.toContain('\n');
      expect(line).toContain(id.slice(0, 7));
    }
  });

  it('shows the pairing code grouped as 123 456', () => {
    expect(formatEvent({ type: 'pair-request', pairingId: 'p', deviceId: id, name: 'bob', address: 'x', code: '123456', direction: 'incoming' })).toContain('123 456');
  });
});
