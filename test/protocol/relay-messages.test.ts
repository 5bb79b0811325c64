/**
 * Relay wire messages (protocol/relay/relay-messages.ts): golden frames in
 * fixtures/relay-frames/, both directions; caps checked at the header; the peer
 * registry and the relay registry share no frame type.
 * Regenerate after a deliberate wire change: UPDATE_FIXTURES=1 npx vitest run test/protocol/relay-messages
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deviceIdFromBytes, isDeviceId } from '../../src/protocol/device-id.js';
import { encodeFrame } from '../../src/protocol/frame.js';
import { isProtocolError } from '../../src/protocol/errors.js';
import { createMessageDecoder, MESSAGE_CODECS } from '../../src/protocol/messages/index.js';
import {
  createRelayDecoder,
  decodeRelayMessage,
  encodeRelayMessage,
  MAX_RELAY_ENVELOPE_FRAME_BYTES,
  RELAY_CODECS,
  type RelayMessageOfType,
  type RelayMessageType,
} from '../../src/protocol/relay/relay-messages.js';
import { FIXTURE_DIR, goldenBytes } from './helpers/hex-fixture.js';

const A = deviceIdFromBytes(Buffer.alloc(32, 0x61));
const B = deviceIdFromBytes(Buffer.alloc(32, 0x18));
const ID = '00112233445566778899aabbccddeeff';

const SAMPLES: { readonly [K in RelayMessageType]: RelayMessageOfType<K> } = {
  RELAY_OK: {
    type: 'RELAY_OK',
    v: 1,
    pingMs: 60_000,
    limits: { maxEnvelopeBytes: 65536, maxQueueEnvelopes: 1000, maxQueueBytes: 16777216, ttlMs: 604800000 },
    held: 2,
  },
  RELAY_REFUSED: { type: 'RELAY_REFUSED', code: 'QUOTA', reason: 'mailbox is full (1000 envelopes)', id: ID },
  RELAY_KEEPALIVE: { type: 'RELAY_KEEPALIVE', n: 3 },
  RELAY_KEEPALIVE_ACK: { type: 'RELAY_KEEPALIVE_ACK', n: 3 },
  RELAY_DEPOSIT: { type: 'RELAY_DEPOSIT', to: B, id: ID, envelope: 'AQEAAA==' },
  RELAY_STORED: { type: 'RELAY_STORED', id: ID, to: B, where: 'held' },
  RELAY_FETCH: { type: 'RELAY_FETCH' },
  RELAY_PUSH: { type: 'RELAY_PUSH', id: ID, from: A, at: 1763714839000, envelope: 'AQEAAA==' },
  RELAY_ACK: { type: 'RELAY_ACK', ids: [ID, 'ffeeddccbbaa99887766554433221100'] },
};

const fixtureName = (type: string): string => type.toLowerCase().replace(/_/g, '-');

describe('relay wire messages', () => {
  it('sample device IDs are valid (the schema checks them)', () => {
    expect(isDeviceId(A) && isDeviceId(B)).toBe(true);
  });

  it.each(RELAY_CODECS.map((c) => c.type))('%s matches its golden frame', (type) => {
    const sample = SAMPLES[type];
    const encoded = encodeRelayMessage(sample);
    const golden = goldenBytes(join('relay-frames', `${fixtureName(type)}.hex`), encoded, `${type}: ${JSON.stringify(sample)}`);
    expect(encoded.toString('hex')).toBe(golden.toString('hex'));
    const frames = createRelayDecoder().push(golden);
    expect(frames).toHaveLength(1);
    expect(decodeRelayMessage(frames[0]!)).toEqual(sample);
  });

  it('has no stray relay fixture', () => {
    const expected = new Set(RELAY_CODECS.map((c) => `${fixtureName(c.type)}.hex`));
    const present = readdirSync(join(FIXTURE_DIR, 'relay-frames')).filter((f) => f.endsWith('.hex'));
    expect(present.filter((f) => !expected.has(f))).toEqual([]);
  });

  it('keeps relay frame types apart from the peer registry, in 0x60..0x6f', () => {
    const peer = new Set(MESSAGE_CODECS.map((c) => c.frameType));
    for (const c of RELAY_CODECS) {
      expect(peer.has(c.frameType)).toBe(false);
      expect(c.frameType).toBeGreaterThanOrEqual(0x60);
      expect(c.frameType).toBeLessThanOrEqual(0x6f);
    }
    // A relay frame on a peer session is an unknown type there, and a peer CHAT on a relay connection too.
    expect(() => createMessageDecoder().push(encodeRelayMessage(SAMPLES.RELAY_FETCH))).toThrow(
      expect.objectContaining({ code: 'ERR_UNKNOWN_FRAME_TYPE' }),
    );
    expect(() => createRelayDecoder().push(encodeFrame(0x30, Buffer.from('{}')))).toThrow(
      expect.objectContaining({ code: 'ERR_UNKNOWN_FRAME_TYPE' }),
    );
  });

  it('refuses an oversized deposit at the header, before buffering the payload', () => {
    const header = Buffer.from([0x65, 0, 0, 0, 0]);
    header.writeUInt32BE(MAX_RELAY_ENVELOPE_FRAME_BYTES + 1, 1);
    expect(() => createRelayDecoder().push(header)).toThrow(expect.objectContaining({ code: 'ERR_FRAME_TOO_LARGE' }));
  });

  it('refuses malformed bodies with ERR_MALFORMED_MESSAGE', () => {
    const cases: Buffer[] = [
      encodeFrame(0x65, Buffer.from(JSON.stringify({ to: 'nobody', id: ID, envelope: 'AA==' }))),
      encodeFrame(0x65, Buffer.from(JSON.stringify({ to: B, id: 'XYZ', envelope: 'AA==' }))),
      encodeFrame(0x69, Buffer.from(JSON.stringify({ ids: [] }))),
      encodeFrame(0x62, Buffer.from(JSON.stringify({ code: 'SOMETHING' }))),
      encodeFrame(0x63, Buffer.from('not json')),
    ];
    for (const frame of cases) {
      const [f] = createRelayDecoder().push(frame);
      let err: unknown;
      try {
        decodeRelayMessage(f!);
      } catch (e) {
        err = e;
      }
      expect(isProtocolError(err, 'ERR_MALFORMED_MESSAGE')).toBe(true);
    }
  });
});
