/**
 * Root hash: known answers (computed independently from the formula in
 * src/protocol/root-hash.ts), and the properties the protocol relies on.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkCount, chunkLength, prefixDigest, rootHash, RootHasher } from '../../src/protocol/root-hash.js';

const sha = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest();

function chunkHashes(data: Buffer, chunkSize: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < chunkCount(data.length, chunkSize); i++) out.push(sha(data.subarray(i * chunkSize, (i + 1) * chunkSize)));
  return out;
}

const pattern = (n: number): Buffer => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7) & 0xff;
  return b;
};

describe('root hash', () => {
  it('matches the known answers', () => {
    expect(rootHash(0, 1048576, []).toString('hex')).toBe('a3d2c06529c49f448cd5f4a4f5d5e04df655769b51e563695cb9663ba89ffca5');
    expect(rootHash(1, 1048576, [sha(Buffer.from('a'))]).toString('hex')).toBe('2e4cb18c504ceec1f353cc36b78472f94481e9825cf5ee09a8526deb912141cc');
    const data = pattern(40000);
    expect(rootHash(data.length, 16384, chunkHashes(data, 16384)).toString('hex')).toBe('4c41a46507272efa847f359f84cbe73a55e12161962bd60ba989a3f6df1719ed');
  });

  it('counts chunks and their lengths at the boundaries', () => {
    const cs = 1024;
    expect([0, 1, cs - 1, cs, cs + 1, 3 * cs].map((s) => chunkCount(s, cs))).toEqual([0, 1, 1, 1, 2, 3]);
    expect(chunkLength(cs + 1, cs, 0)).toBe(cs);
    expect(chunkLength(cs + 1, cs, 1)).toBe(1);
    expect(chunkLength(3 * cs, cs, 2)).toBe(cs);
  });

  it('binds size and chunk size: same hashes, other size or chunk size, other root', () => {
    const data = pattern(5000);
    const hs = chunkHashes(data, 4096);
    const root = rootHash(5000, 4096, hs);
    expect(rootHash(5001, 4096, hs).equals(root)).toBe(false);
    expect(rootHash(4097, 4096, hs).equals(root)).toBe(false);
    expect(() => rootHash(5000, 8192, hs)).toThrow(RangeError); // 1 chunk expected, 2 given
  });

  it('is the same fed at once, one by one, or concatenated; refuses too few or too many hashes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.constantFrom(16, 100, 1024), (bytes, cs) => {
        const data = Buffer.from(bytes);
        const hs = chunkHashes(data, cs);
        const a = rootHash(data.length, cs, hs);
        const b = rootHash(data.length, cs, Buffer.concat(hs));
        const inc = new RootHasher(data.length, cs);
        for (const h of hs) inc.update(h);
        expect(b.equals(a)).toBe(true);
        expect(inc.digest().equals(a)).toBe(true);
        if (hs.length > 0) expect(() => rootHash(data.length, cs, hs.slice(1))).toThrow(RangeError);
        expect(() => rootHash(data.length, cs, [...hs, sha(Buffer.alloc(1))])).toThrow(RangeError);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps prefix digests apart from roots and from each other', () => {
    const hs = chunkHashes(pattern(4096 * 3), 4096);
    const d2 = prefixDigest(Buffer.concat(hs.slice(0, 2)));
    const d3 = prefixDigest(Buffer.concat(hs));
    expect(d2.equals(d3)).toBe(false);
    expect(d3.equals(rootHash(4096 * 3, 4096, hs))).toBe(false);
    expect(prefixDigest(Buffer.alloc(0))).toHaveLength(32);
    expect(() => prefixDigest(Buffer.alloc(31))).toThrow(RangeError);
  });
});
