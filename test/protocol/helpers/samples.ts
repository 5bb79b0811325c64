/**
 * One sample per message type: the golden fixtures (fixtures/frames/<name>.hex)
 * are these messages encoded. The record type makes a new message type without
 * a sample a compile error.
 */
import type { MessageOfType, MessageType } from '../../../src/protocol/messages/index.js';

export const SAMPLES: { readonly [K in MessageType]: MessageOfType<K> } = {
  HELLO: { type: 'HELLO', v: 1, name: 'ada’s laptop', port: 51516, caps: ['chat', 'transfer'], relay: 'relay.example.net:51517' },
  ACCEPT: { type: 'ACCEPT', name: 'büro-pc' },
  DENY: { type: 'DENY', code: 'VERSION_MISMATCH', message: 'peer speaks protocol v2, this side speaks v1' },
  BYE: { type: 'BYE', reason: 'shutting down' },
  PAIR_COMMIT: { type: 'PAIR_COMMIT', commit: 'a'.repeat(64), name: 'ada' },
  PAIR_NONCE: { type: 'PAIR_NONCE', nonce: '0123456789abcdef'.repeat(4), name: 'bob' },
  PAIR_REVEAL: { type: 'PAIR_REVEAL', nonce: 'fedcba9876543210'.repeat(4) },
  PAIR_CONFIRM: { type: 'PAIR_CONFIRM' },
  PAIR_REJECT: { type: 'PAIR_REJECT', code: 'CODE_MISMATCH', message: 'codes differ' },
  HEARTBEAT: { type: 'HEARTBEAT', seq: 7, t: 123456.789 },
  HEARTBEAT_ACK: { type: 'HEARTBEAT_ACK', seq: 7, t: 123456.789 },
  CHAT: { type: 'CHAT', id: 'm-01HZY3Q8', text: 'hello 👋\nsecond line', at: 1763714839000 },
  CHAT_ACK: { type: 'CHAT_ACK', id: 'm-01HZY3Q8' },
};

/** Fixture file name for a message type: HELLO_ACK → hello-ack. */
export const fixtureName = (type: string): string => type.toLowerCase().replace(/_/g, '-');
