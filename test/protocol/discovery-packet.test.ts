import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deviceIdFromBytes } from '../../src/protocol/device-id.js';
import {
  clampDisplayName,
  decodeDiscoveryPacket,
  DISCOVERY_VERSION,
  encodeDiscoveryPacket,
  HEADER_BYTES,
  MAX_NAME_BYTES,
  MAX_PACKET_BYTES,
  type DiscoveryPacket,
} from '../../src/protocol/discovery-packet.js';
import { isProtocolError, ProtocolError } from '../../src/protocol/errors.js';

/** Hex fixture: `#` starts a comment; whitespace is ignored. */
function fixture(name: string): Buffer {
  const text = readFileSync(new URL(`../../fixtures/discovery/${name}.hex`, import.meta.url), 'utf8');
  const hex = text
    .split('\n')
    .map((line) => line.replace(/#.*/, ''))
    .join('')
    .replace(/\s+/g, '');
  return Buffer.from(hex, 'hex');
}

const ID = deviceIdFromBytes(Uint8Array.from({ length: 32 }, (_, i) => i));

const golden: Record<string, DiscoveryPacket> = {
  ping: { kind: 'ping', query: true, deviceId: ID, tcpPort: 51516, name: 'alice-laptop' },
  pong: { kind: 'pong', deviceId: ID, tcpPort: 443, name: 'Zoë’s desk ✓' },
  bye: { kind: 'bye', deviceId: ID, tcpPort: 65535, name: '' },
};

function expectBadPacket(bytes: Uint8Array, code: 'ERR_BAD_PACKET' | 'ERR_VERSION_MISMATCH' = 'ERR_BAD_PACKET'): void {
  let thrown: unknown;
  try {
    decodeDiscoveryPacket(bytes);
  } catch (err) {
    thrown = err;
  }
  expect(isProtocolError(thrown, code), String(thrown)).toBe(true);
}

const packetArb: fc.Arbitrary<DiscoveryPacket> = fc
  .record({
    kind: fc.constantFrom('ping', 'pong', 'bye'),
    query: fc.boolean(),
    id: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    tcpPort: fc.integer({ min: 1, max: 65535 }),
    name: fc.string({ unit: 'grapheme', maxLength: 40 }).map(clampDisplayName),
  })
  .map(({ kind, query, id, tcpPort, name }) => {
    const fields = { deviceId: deviceIdFromBytes(id), tcpPort, name };
    return kind === 'ping' ? { kind, query, ...fields } : { kind, ...fields };
  });

describe('discovery packet: golden fixtures', () => {
  for (const [kind, packet] of Object.entries(golden)) {
    it(`${kind}: encodes to the fixture and decodes from it`, () => {
      const bytes = fixture(kind);
      expect(encodeDiscoveryPacket(packet).equals(bytes)).toBe(true);
      expect(decodeDiscoveryPacket(bytes)).toEqual({ ...packet, version: DISCOVERY_VERSION });
    });
  }

  it('tolerates unknown flags and trailing extension bytes from a newer minor version', () => {
    expect(decodeDiscoveryPacket(fixture('ping-v1.1-extension'))).toEqual({ ...golden.ping, version: { major: 1, minor: 1 } });
  });

  it('rejects the same trailing bytes or unknown flags at our own minor version', () => {
    const withTail = Buffer.concat([fixture('ping'), Buffer.of(1, 2, 3)]);
    expectBadPacket(withTail);
    const unknownFlag = Buffer.from(fixture('ping'));
    unknownFlag[7] = 0x81;
    expectBadPacket(unknownFlag);
  });
});

describe('discovery packet: malformed input', () => {
  const ping = () => Buffer.from(fixture('ping'));

  it('checks the size before anything else', () => {
    const huge = Buffer.alloc(MAX_PACKET_BYTES + 1);
    ping().copy(huge);
    expect(() => decodeDiscoveryPacket(huge)).toThrow(/limit is 512/);
    expect(() => decodeDiscoveryPacket(Buffer.alloc(HEADER_BYTES - 1))).toThrow(ProtocolError);
  });

  it.each([
    ['bad magic', (b: Buffer) => void (b[0] = 0x51)],
    ['unknown kind', (b: Buffer) => void (b[6] = 9)],
    ['kind 0', (b: Buffer) => void (b[6] = 0)],
    ['QUERY on a PONG', (b: Buffer) => void (b[6] = 2)],
    ['TCP port 0', (b: Buffer) => void b.writeUInt16BE(0, 40)],
    ['name length past the end', (b: Buffer) => void (b[42] = 13)],
    ['name length over 64', (b: Buffer) => void (b[42] = 65)],
    ['invalid UTF-8 in the name', (b: Buffer) => void (b[43] = 0xff)],
    ['truncated UTF-8 sequence', (b: Buffer) => void (b[54] = 0xe2)],
  ])('%s → ERR_BAD_PACKET', (_label, mutate) => {
    const b = ping();
    mutate(b);
    expectBadPacket(b);
  });

  it('another major version → ERR_VERSION_MISMATCH', () => {
    const b = ping();
    b[4] = 2;
    expectBadPacket(b, 'ERR_VERSION_MISMATCH');
  });

  it('a name over 64 bytes cannot be encoded; clampDisplayName cuts on a character boundary', () => {
    const long = 'é'.repeat(40); // 80 bytes
    expect(() => encodeDiscoveryPacket({ ...golden.pong!, name: long })).toThrow(ProtocolError);
    const clamped = clampDisplayName(long);
    expect(clamped).toBe('é'.repeat(32));
    expect(Buffer.byteLength(clampDisplayName('a' + '😀'.repeat(20)))).toBeLessThanOrEqual(MAX_NAME_BYTES);
    expect(clampDisplayName('a' + '😀'.repeat(20))).toBe('a' + '😀'.repeat(15));
  });

  it('a bad TCP port cannot be encoded', () => {
    for (const tcpPort of [0, -1, 65536, 1.5, NaN]) {
      expect(() => encodeDiscoveryPacket({ ...golden.bye!, tcpPort })).toThrow(ProtocolError);
    }
  });
});

describe('discovery packet: properties', () => {
  it('decode(encode(p)) = p', () => {
    fc.assert(
      fc.property(packetArb, (packet) => {
        const bytes = encodeDiscoveryPacket(packet);
        expect(bytes.length).toBeLessThanOrEqual(MAX_PACKET_BYTES);
        expect(decodeDiscoveryPacket(bytes)).toEqual({ ...packet, version: DISCOVERY_VERSION });
      }),
      { numRuns: 2_000 },
    );
  });

  it('decoding arbitrary bytes only ever throws ProtocolError', () => {
    const anyBytes = fc.uint8Array({ maxLength: MAX_PACKET_BYTES + 16 });
    // Mostly-valid packets with a few bytes changed reach the deeper checks.
    const mutated = fc
      .tuple(packetArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.uint8Array({ maxLength: 8 }))
      .map(([packet, edits, tail]) => {
        const b = Buffer.concat([encodeDiscoveryPacket(packet), tail]);
        for (const [at, value] of edits) b[at % b.length] = value;
        return b;
      });
    fc.assert(
      fc.property(fc.oneof(anyBytes, mutated), (bytes) => {
        try {
          const p = decodeDiscoveryPacket(bytes);
          // Whatever decodes re-encodes (minus any extension bytes) and decodes the same.
          const again = decodeDiscoveryPacket(encodeDiscoveryPacket(p));
          expect({ ...again, version: p.version }).toEqual(p);
        } catch (err) {
          if (!(err instanceof ProtocolError)) throw err;
        }
      }),
      { numRuns: 20_000 },
    );
  });
});
