import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import {
  deviceIdBytes,
  deviceIdFromBytes,
  deviceIdFromCertDer,
  idMatchesPrefix,
  isDeviceId,
  parseDeviceId,
  shortId,
} from '../../src/protocol/device-id.js';
import { isProtocolError } from '../../src/protocol/errors.js';

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe('device ID text form', () => {
  it('is 8 dash-separated groups of 7 base32 characters', () => {
    const id = deviceIdFromBytes(Buffer.alloc(32, 7));
    expect(id).toMatch(/^([A-Z2-7]{7}-){7}[A-Z2-7]{7}$/);
    expect(shortId(id)).toBe(id.slice(0, 7));
  });

  it('is the SHA-256 of the certificate DER', () => {
    const der = Buffer.from('not really a certificate');
    const id = deviceIdFromCertDer(der);
    expect(deviceIdBytes(id)).toEqual(createHash('sha256').update(der).digest());
  });

  it('round-trips bytes -> text -> bytes and parses its own form', () => {
    fc.assert(
      fc.property(bytes32, (b) => {
        const id = deviceIdFromBytes(b);
        expect(deviceIdBytes(id)).toEqual(Buffer.from(b));
        expect(parseDeviceId(id)).toBe(id);
        expect(parseDeviceId(id.toLowerCase().replace(/-/g, ''))).toBe(id);
        expect(isDeviceId(id)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('detects any single-character typo with its check characters', () => {
    fc.assert(
      fc.property(bytes32, fc.nat({ max: 63 }), fc.nat({ max: 31 }), (b, pos, delta) => {
        const id = deviceIdFromBytes(b);
        const plain = id.replace(/-/g, '');
        const i = pos % plain.length;
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
        const ch = alphabet[(alphabet.indexOf(plain[i]!) + 1 + (delta % 31)) % 32]!;
        const typo = plain.slice(0, i) + ch + plain.slice(i + 1);
        let code: string | undefined;
        try {
          parseDeviceId(typo);
        } catch (err) {
          if (isProtocolError(err)) code = err.code;
        }
        expect(code).toBe('ERR_BAD_DEVICE_ID');
      }),
      { numRuns: 500 },
    );
  });

  it('rejects wrong lengths and characters with ERR_BAD_DEVICE_ID', () => {
    for (const bad of ['', 'ABC', 'A'.repeat(57), '!'.repeat(56)]) {
      expect(() => parseDeviceId(bad)).toThrow(expect.objectContaining({ code: 'ERR_BAD_DEVICE_ID' }));
    }
  });

  it('matches prefixes ignoring dashes and case', () => {
    const id = deviceIdFromBytes(Buffer.alloc(32, 1));
    expect(idMatchesPrefix(id, id.slice(0, 10).toLowerCase())).toBe(true);
    expect(idMatchesPrefix(id, id.replace(/-/g, '').slice(0, 9))).toBe(true);
    expect(idMatchesPrefix(id, 'ZZZZZZZ')).toBe(id.startsWith('ZZZZZZZ'));
  });

  it('parses any case, with or without dashes or spaces, to the canonical form', () => {
    const id = deviceIdFromCertDer(Buffer.from('some certificate'));
    const compact = id.replace(/-/g, '');
    const spaced = id.replace(/-/g, ' ');
    for (const text of [id.toLowerCase(), compact, compact.toLowerCase(), spaced, ` ${id} `, id.slice(0, 20).toLowerCase() + id.slice(20)]) {
      expect(parseDeviceId(text)).toBe(id);
    }
  });

  it('refuses the all-zero ID, whose check characters pass', () => {
    const zero = 'AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA';
    expect(() => parseDeviceId(zero)).toThrow(expect.objectContaining({ code: 'ERR_BAD_DEVICE_ID' }));
    expect(() => parseDeviceId(zero.toLowerCase().replace(/-/g, ''))).toThrow(expect.objectContaining({ code: 'ERR_BAD_DEVICE_ID' }));
    expect(isDeviceId(zero)).toBe(false);
  });
});
