/**
 * Mailbox envelope (protocol/relay/envelope.ts): golden fixture
 * fixtures/envelopes/chat-1-to-2.hex (fixture identity 1 → 2, a CHAT frame),
 * sealing with injected AES key and IV reproduces every deterministic byte of
 * it, and every forgery is refused with its own code.
 * Regenerate after a deliberate format change: UPDATE_FIXTURES=1 npx vitest run test/protocol/envelope
 */
import { constants, createPrivateKey, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureIdentity } from '../../fixtures/identities/index.js';
import { deviceIdBytes, type DeviceId } from '../../src/protocol/device-id.js';
import { isProtocolError, type ProtocolErrorCode } from '../../src/protocol/errors.js';
import { createMessageDecoder, decodeMessage, encodeMessage } from '../../src/protocol/messages/index.js';
import {
  MAX_ENVELOPE_BODY_BYTES,
  MAX_ENVELOPE_BYTES,
  openEnvelope,
  peekEnvelope,
  PLAINTEXT_BUCKETS,
  sealEnvelope,
} from '../../src/protocol/relay/envelope.js';
import { goldenBytes } from './helpers/hex-fixture.js';

const alice = fixtureIdentity(1);
const bob = fixtureIdentity(2);
const eve = fixtureIdentity(3);
const pub = (pem: string): KeyObject => new X509Certificate(pem).publicKey;
const priv = (pem: string): KeyObject => createPrivateKey(pem);
const keys = new Map<DeviceId, KeyObject>([
  [alice.deviceId, pub(alice.certPem)],
  [bob.deviceId, pub(bob.certPem)],
  [eve.deviceId, pub(eve.certPem)],
]);

const CHAT = { type: 'CHAT', id: 'm-01HZY3Q8', text: 'hello through the relay', at: 1763714839000 } as const;
const ID = '0123456789abcdef0123456789abcdef';
/** Deterministic "randomness": AES key 0x11…, IV 0x22… */
const fixedRandom = (n: number): Buffer => Buffer.alloc(n, n === 32 ? 0x11 : 0x22);

function seal(overrides: Partial<Parameters<typeof sealEnvelope>[0]> = {}): Buffer {
  return sealEnvelope({
    to: bob.deviceId,
    from: alice.deviceId,
    id: ID,
    at: CHAT.at,
    body: encodeMessage(CHAT),
    recipientPublicKey: pub(bob.certPem),
    senderPrivateKey: priv(alice.keyPem),
    random: fixedRandom,
    ...overrides,
  });
}

const openAsBob = (bytes: Buffer) =>
  openEnvelope(bytes, { self: bob.deviceId, recipientPrivateKey: priv(bob.keyPem), senderPublicKey: (id) => keys.get(id) });

function codeOf(fn: () => unknown): ProtocolErrorCode | undefined {
  try {
    fn();
  } catch (err) {
    if (isProtocolError(err)) return err.code;
    throw err;
  }
  return undefined;
}

/** Offsets of the randomized fields (OAEP wrap, PSS signature) for RSA-3072. */
const WRAP = [92, 92 + 384] as const;
const sigStart = (buf: Buffer): number => buf.length - 384;

describe('mailbox envelope', () => {
  it('opens the golden fixture to the expected CHAT, and sealing reproduces its deterministic bytes', () => {
    const fresh = seal();
    const golden = goldenBytes(
      join('envelopes', 'chat-1-to-2.hex'),
      fresh,
      `envelope v1 suite 1: fixture identity 1 → 2, id ${ID}, at ${CHAT.at}, body = ${JSON.stringify(CHAT)} as a frame;\n` +
        `AES key 32×0x11, IV 12×0x22; the OAEP-wrapped key (bytes 92..475) and the PSS signature (last 384) are random per seal`,
    );
    const opened = openAsBob(golden);
    expect(opened).toMatchObject({ to: bob.deviceId, from: alice.deviceId, id: ID, at: CHAT.at, version: 1, suite: 1 });
    const frames = createMessageDecoder().push(opened.body);
    expect(decodeMessage(frames[0]!)).toEqual(CHAT);
    // Same length, same header, same IV + ciphertext (the AES key is fixed). The GCM tag covers the
    // randomly wrapped key (AAD), so the tag differs like the OAEP and PSS fields.
    expect(fresh.length).toBe(golden.length);
    expect(fresh.subarray(0, WRAP[0]).equals(golden.subarray(0, WRAP[0]))).toBe(true);
    const tagStart = (b: Buffer) => sigStart(b) - 2 - 16;
    expect(fresh.subarray(WRAP[1], tagStart(fresh)).equals(golden.subarray(WRAP[1], tagStart(golden)))).toBe(true);
    expect(fresh.length).toBe(256 + 894); // one 256-byte bucket plus the RSA-3072 overhead
  });

  it('lets a relay peek at routing only', () => {
    expect(peekEnvelope(seal())).toEqual({ version: 1, suite: 1, to: bob.deviceId, from: alice.deviceId, id: ID, at: CHAT.at });
  });

  it('pads to buckets, so sizes leak only the bucket', () => {
    const sizes = [0, 100, 252, 253, 1000, 5000, MAX_ENVELOPE_BODY_BYTES].map(
      (n) => seal({ body: Buffer.alloc(n, 0x41), random: undefined }).length - 894,
    );
    expect(sizes).toEqual([256, 256, 256, 1024, 1024, 16384, PLAINTEXT_BUCKETS[4]]);
    expect(seal({ body: Buffer.alloc(MAX_ENVELOPE_BODY_BYTES) }).length).toBeLessThanOrEqual(MAX_ENVELOPE_BYTES);
    expect(codeOf(() => seal({ body: Buffer.alloc(MAX_ENVELOPE_BODY_BYTES + 1) }))).toBe('ERR_ENVELOPE_TOO_LARGE');
  });

  it('never carries the plaintext', () => {
    const canary = Buffer.from('CANARY-7f3a9-plaintext');
    const env = seal({ body: canary, random: undefined });
    expect(env.includes(canary)).toBe(false);
    expect(openAsBob(env).body.equals(canary)).toBe(true);
  });

  it('refuses an envelope for someone else before any crypto', () => {
    const forEve = seal({ to: eve.deviceId, recipientPublicKey: pub(eve.certPem) });
    expect(codeOf(() => openAsBob(forEve))).toBe('ERR_ENVELOPE_NOT_FOR_US');
  });

  it('refuses forgeries with typed codes', () => {
    const good = seal();
    expect(
      codeOf(() => openEnvelope(good, { self: bob.deviceId, recipientPrivateKey: priv(bob.keyPem), senderPublicKey: () => undefined })),
    ).toBe('ERR_ENVELOPE_UNKNOWN_SENDER');
    // Eve signs in Alice's name: the signature does not verify with Alice's key.
    expect(codeOf(() => openAsBob(seal({ senderPrivateKey: priv(eve.keyPem) })))).toBe('ERR_ENVELOPE_SIGNATURE');
    // A flipped ciphertext byte: the signature covers it.
    const flipped = Buffer.from(good);
    flipped[WRAP[1] + 20]! ^= 1;
    expect(codeOf(() => openAsBob(flipped))).toBe('ERR_ENVELOPE_SIGNATURE');
    // Eve takes Alice's envelope, puts her own ID as sender and re-signs: the AAD no longer matches.
    const stolen = Buffer.from(good.subarray(0, sigStart(good) - 2));
    deviceIdBytes(eve.deviceId).copy(stolen, 34);
    const resig = sign('sha256', Buffer.concat([Buffer.from('peerdeck-envelope-v1\0'), stolen]), {
      key: priv(eve.keyPem),
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 32,
    });
    const len = Buffer.alloc(2);
    len.writeUInt16BE(resig.length);
    expect(codeOf(() => openAsBob(Buffer.concat([stolen, len, resig])))).toBe('ERR_ENVELOPE_DECRYPT');
    // Truncated, stray byte, wrong version.
    expect(codeOf(() => openAsBob(good.subarray(0, 100)))).toBe('ERR_BAD_ENVELOPE');
    expect(codeOf(() => openAsBob(Buffer.concat([good, Buffer.from([0])])))).toBe('ERR_BAD_ENVELOPE');
    const v2 = Buffer.from(good);
    v2[0] = 2;
    expect(codeOf(() => peekEnvelope(v2))).toBe('ERR_VERSION_MISMATCH');
  });
});
