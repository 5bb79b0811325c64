/** Journals: compact file records that still give back exact local paths; folding what was running. */
import { describe, expect, it } from 'vitest';
import { fromJournal, toJournal, type OutgoingFileRecord } from '../../../src/core/transfer/records.js';
import { foldIncoming, foldOutgoing } from '../../../src/core/transfer/restore.js';
import type { DeviceId } from '../../../src/protocol/device-id.js';

const st = { size: 1, mtimeMs: 2, ino: 3, dev: 4 };
const peer = 'PEER' as DeviceId;

describe('transfer journals', () => {
  it('drops local paths that the roots give back, keeps the ones that differ (names not NFC on disk)', () => {
    const roots = { proj: '/home/u/proj', 'x.bin': '/tmp/x.bin' };
    const files: OutgoingFileRecord[] = [
      { rel: 'proj/a/b.txt', abs: '/home/u/proj/a/b.txt', ...st },
      { rel: 'proj/caf\u00e9', abs: '/home/u/proj/cafe\u0301', ...st },
      { rel: 'x.bin', abs: '/tmp/x.bin', ...st },
    ];
    const j = toJournal(files, roots);
    expect(j.map((f) => 'abs' in f)).toEqual([false, true, false]);
    expect(fromJournal(j, roots)).toEqual(files);
  });

  it('folds records: ended transfers go, restats apply, the last finished receipts stay', () => {
    const out = foldOutgoing([
      { op: 'offer', id: 'a', peer, chunkSize: 16384, roots: { f: '/f' }, files: [{ rel: 'f', ...st }], dirs: [], at: 0 },
      { op: 'offer', id: 'b', peer, chunkSize: 16384, roots: { g: '/g' }, files: [{ rel: 'g', ...st }], dirs: [], at: 0 },
      { op: 'restat', id: 'a', file: 0, size: 9, mtimeMs: 9, ino: 9, dev: 9 },
      { op: 'end', id: 'b', state: 'done' },
    ]);
    expect(out.live.map((t) => [t.id, t.files[0]!.size, t.files[0]!.abs])).toEqual([['a', 9, '/f']]);
    expect(out.keep).toHaveLength(2);
    const inc = foldIncoming([
      { op: 'accept', id: 'r', peer, files: [{ path: 'p', size: 5 }], dirs: [], chunkSize: 16384, at: 0 },
      { op: 'verified', id: 'r', file: 0, root: 'ab'.repeat(32) },
      { op: 'accept', id: 's', peer, files: [{ path: 'q', size: 5 }], dirs: [], chunkSize: 16384, at: 0 },
      { op: 'published', id: 's', file: 0, path: 'q (1)' },
      { op: 'end', id: 's', state: 'done' },
      { op: 'accept', id: 'c', peer, files: [{ path: 'z', size: 5 }], dirs: [], chunkSize: 16384, at: 0 },
      { op: 'end', id: 'c', state: 'cancelled' },
    ]);
    expect(inc.live.map((t) => [t.id, [...t.verified.keys()]])).toEqual([['r', [0]]]);
    expect(inc.finished.map((t) => [t.id, t.published.get(0)])).toEqual([['s', 'q (1)']]);
    expect(inc.keep.filter((r) => r.id === 'c')).toEqual([]);
  });
});
