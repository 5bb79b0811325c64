import { describe, expect, it } from 'vitest';
import { ServiceRegistry, type PeerService, type SessionContext } from '../../../src/core/connections/service.js';
import type { DeviceId } from '../../../src/protocol/device-id.js';
import type { Message } from '../../../src/protocol/messages/index.js';

const PEER = 'A'.repeat(52) as DeviceId;

/** A session context whose replies go to `reply`. */
const session = (reply: (m: Message) => boolean): SessionContext => ({ reply, track: (w) => w, violation: () => {} });

function recorder(name: string, messageTypes: PeerService['messageTypes'], log: string[]): PeerService {
  return {
    name,
    messageTypes,
    onMessage: (peerId, m, s) => {
      log.push(`${name} got ${m.type} from ${peerId.slice(0, 1)}`);
      s.reply({ type: 'CHAT_ACK', id: 'r1' });
    },
    peerOnline: (id) => log.push(`${name} online ${id.slice(0, 1)}`),
    peerOffline: (id) => log.push(`${name} offline ${id.slice(0, 1)}`),
  };
}

describe('service registry', () => {
  it('routes a message to the service that owns its type, with a reply bound to the session', () => {
    const log: string[] = [];
    const reg = new ServiceRegistry();
    reg.register(recorder('chat', ['CHAT', 'CHAT_ACK'], log));
    reg.register(recorder('transfers', ['OFFER', 'CANCEL'], log));
    const replies: Message[] = [];
    expect(reg.route(PEER, { type: 'OFFER' } as unknown as Message, session((m) => replies.push(m) > 0))).toBe(true);
    expect(reg.route(PEER, { type: 'CHAT', id: 'x', text: 'hi', at: 1 }, session((m) => replies.push(m) > 0))).toBe(true);
    expect(log).toEqual(['transfers got OFFER from A', 'chat got CHAT from A']);
    expect(replies).toEqual([{ type: 'CHAT_ACK', id: 'r1' }, { type: 'CHAT_ACK', id: 'r1' }]);
    expect(reg.ownerOf('CANCEL')?.name).toBe('transfers');
  });

  it('reports a type nobody owns (the caller decides what that means) and routes nothing', () => {
    const log: string[] = [];
    const reg = new ServiceRegistry();
    reg.register(recorder('chat', ['CHAT'], log));
    expect(reg.route(PEER, { type: 'CHAT_ACK', id: 'x' }, session(() => true))).toBe(false);
    expect(log).toEqual([]);
  });

  it('refuses a second owner for one message type, leaving the first in place', () => {
    const log: string[] = [];
    const reg = new ServiceRegistry();
    reg.register(recorder('chat', ['CHAT'], log));
    expect(() => reg.register(recorder('impostor', ['CHAT_ACK', 'CHAT'], log))).toThrow(/CHAT is owned by chat/);
    expect(reg.ownerOf('CHAT')?.name).toBe('chat');
    expect(reg.ownerOf('CHAT_ACK')).toBeUndefined();
    reg.peerOnline(PEER);
    expect(log).toEqual(['chat online A']);
  });

  it('tells every service about online and offline peers, in registration order', () => {
    const log: string[] = [];
    const reg = new ServiceRegistry();
    reg.register(recorder('chat', ['CHAT'], log));
    reg.register({ name: 'outbox', messageTypes: [], peerOnline: (id) => log.push(`outbox online ${id.slice(0, 1)}`) });
    reg.register(recorder('transfers', ['OFFER'], log));
    reg.peerOnline(PEER);
    reg.peerOffline(PEER);
    expect(log).toEqual(['chat online A', 'outbox online A', 'transfers online A', 'chat offline A', 'transfers offline A']);
  });
});
