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
  OFFER: {
    type: 'OFFER',
    id: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
    files: [
      { path: 'photos/été.jpg', size: 1048577 },
      { path: 'photos/empty.txt', size: 0 },
    ],
    dirs: ['photos', 'photos/raw'],
    chunkSize: 1048576,
    totalBytes: 1048577,
  },
  OFFER_ACCEPT: {
    type: 'OFFER_ACCEPT',
    id: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
    token: '5e'.repeat(32),
    have: [{ file: 0, chunks: 1, digest: 'd1'.repeat(32), tail: ['7a'.repeat(32)] }],
    done: [1],
  },
  OFFER_DENY: { type: 'OFFER_DENY', id: '0f1e2d3c4b5a69788796a5b4c3d2e1f0', code: 'BAD_PATH', reason: 'bad path (dot-segment): "../x"' },
  CANCEL: { type: 'CANCEL', id: '0f1e2d3c4b5a69788796a5b4c3d2e1f0', code: 'CANCELLED', reason: 'cancelled by the sender' },
  TRANSFER_DONE: {
    type: 'TRANSFER_DONE',
    id: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
    files: [
      { path: 'photos (1)/été.jpg', root: 'ab'.repeat(32) },
      { path: 'photos (1)/empty.txt', root: 'cd'.repeat(32) },
    ],
  },
  TRANSFER_PAUSE: { type: 'TRANSFER_PAUSE', id: '0f1e2d3c4b5a69788796a5b4c3d2e1f0', code: 'NO_SPACE', reason: 'disk full' },
  BULK_OPEN: { type: 'BULK_OPEN', id: '0f1e2d3c4b5a69788796a5b4c3d2e1f0', token: '5e'.repeat(32) },
  FILE_END: { type: 'FILE_END', file: 0, root: 'ab'.repeat(32) },
  BULK_ACK: { type: 'BULK_ACK', seq: 42 },
};

/** Fixture file name for a message type: HELLO_ACK → hello-ack. */
export const fixtureName = (type: string): string => type.toLowerCase().replace(/_/g, '-');
