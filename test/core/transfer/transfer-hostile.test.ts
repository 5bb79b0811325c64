/**
 * Hostile names and a booby-trapped downloads folder (reliability.md §3 N1–N13,
 * X5; §0 finding 3). The receiver sits in a throwaway "home" with canary files
 * and links pointing out of the downloads folder; nothing outside downloads may
 * change, nothing inside may be overwritten, and the sender sees why.
 */
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Message, Offer, OfferDeny } from '../../../src/protocol/messages/index.js';
import { cleanupTempDirs, treeSnapshot, writeFile } from './helpers/files.js';
import { startPair, waitUntil, type Pair } from './helpers/pair.js';
import type { MiniPeer } from './helpers/mini-peer.js';

const FIXTURES = path.join(import.meta.dirname, '../../../fixtures/hostile-names');
const rejected = JSON.parse(readFileSync(path.join(FIXTURES, 'rejected.json'), 'utf8')) as Array<{ name: string; reason: string }>;
const rejectedSets = JSON.parse(readFileSync(path.join(FIXTURES, 'rejected-sets.json'), 'utf8')) as Array<{ files: string[]; dirs: string[]; reason: string }>;

let pair: Pair | undefined;
afterEach(async () => {
  await pair?.stop();
  pair = undefined;
  cleanupTempDirs();
});

/** A home with canaries; downloads inside it; links planted in downloads that point out. */
function booby(root: string): { home: string; downloads: string } {
  const home = path.join(root, 'home');
  writeFile(path.join(home, '.bashrc'), 'echo canary\n');
  writeFile(path.join(home, '.ssh/authorized_keys'), 'ssh-ed25519 AAAA canary\n');
  writeFile(path.join(root, 'outside/target.txt'), 'outside target\n');
  const downloads = path.join(home, 'Downloads');
  writeFile(path.join(downloads, 'a.txt'), 'pre-existing a\n');
  symlinkSync(path.join(root, 'outside'), path.join(downloads, 'evil'));
  symlinkSync(path.join(root, 'outside/target.txt'), path.join(downloads, 'b.txt'));
  symlinkSync(path.join(root, 'outside/nonexistent.txt'), path.join(downloads, 'dangling.txt'));
  symlinkSync(path.join(home, '.ssh'), path.join(downloads, '.ssh'));
  return { home, downloads };
}

let seq = 0;
/** Play a hostile sender: a raw OFFER on the session; resolves with the receiver's answer. */
async function rawOffer(from: MiniPeer, to: MiniPeer, files: Array<{ path: string; size: number }>, dirs: string[] = [], extra: Partial<Offer> = {}): Promise<Message> {
  const id = extra.id ?? `hostile${++seq}`;
  const n = from.received.length;
  from.sendRaw(to.deviceId, { type: 'OFFER', id, files, dirs, chunkSize: 1048576, totalBytes: files.reduce((s, f) => s + f.size, 0), ...extra });
  let answer: Message | undefined;
  await waitUntil(() => {
    answer = from.received.slice(n).find((r) => 'id' in r.msg && r.msg.id === id)?.msg;
    return answer !== undefined;
  }, 5_000, `answer to ${id}`);
  return answer!;
}

describe('hostile names', () => {
  it('refuses every name of the corpus with the rule broken, writing nothing', async () => {
    pair = await startPair({}, {});
    const { a, b } = pair;
    const before = treeSnapshot(pair.root);
    for (const { name, reason } of rejected) {
      const answer = (await rawOffer(a, b, [{ path: name, size: 5 }])) as OfferDeny;
      expect(answer.type, JSON.stringify(name)).toBe('OFFER_DENY');
      expect(answer.code).toBe('BAD_PATH');
      expect(answer.reason).toContain(`(${reason})`);
    }
    for (const set of rejectedSets) {
      const answer = (await rawOffer(a, b, set.files.map((f) => ({ path: f, size: 1 })), set.dirs)) as OfferDeny;
      expect([answer.type, answer.code]).toEqual(['OFFER_DENY', 'BAD_PATH']);
      expect(answer.reason).toContain(`(${set.reason})`);
    }
    // Our own partial folder's name, and other offer-level nonsense.
    expect(((await rawOffer(a, b, [{ path: '.peerdeck-partial/x', size: 1 }])) as OfferDeny).reason).toContain('(reserved-prefix)');
    const bad = async (extra: Partial<Offer>) => ((await rawOffer(a, b, [{ path: 'x', size: 10 }], [], extra)) as OfferDeny).code;
    expect(await bad({ totalBytes: 9 })).toBe('BAD_OFFER'); // sizes that do not add up (N12)
    expect(await bad({ chunkSize: 1000 })).toBe('BAD_OFFER');
    expect(await bad({ id: '../../x' })).toBe('BAD_OFFER'); // the id names the partial folder
    expect(treeSnapshot(pair.root)).toEqual(before);
    expect(b.events.filter((e) => e.type === 'offer-received' || e.type === 'transfer-started')).toEqual([]);
  });

  it('lands everything inside downloads, next to (never over or through) what is there', async () => {
    pair = await startPair({}, {});
    const { a, b, root } = pair;
    // Restart b's view of the world: its downloads folder is the booby-trapped one.
    const trap = booby(path.join(root, 'trap'));
    await b.stop();
    const { MiniPeer } = await import('./helpers/mini-peer.js');
    const b2 = await MiniPeer.start({ identity: 1, downloads: trap.downloads, reserveBytes: 0 });
    b2.trust(a.deviceId, a.port);
    a.trust(b2.deviceId, b2.port);
    await a.connect(b2.deviceId);
    await waitUntil(() => b2.online(a.deviceId));
    pair = { ...pair, b: b2, stop: async () => { await a.stop(); await b2.stop(); } };
    const src = path.join(root, 'src2');
    writeFile(path.join(src, 'a.txt'), 'new a\n');
    writeFile(path.join(src, 'b.txt'), 'new b\n');
    writeFile(path.join(src, 'dangling.txt'), 'new dangling\n');
    writeFile(path.join(src, 'evil/passwd'), 'evil passwd\n');
    writeFile(path.join(src, '.ssh/authorized_keys'), 'ssh-rsa attacker\n');
    writeFile(path.join(src, 'café.txt'), 'nfc\n');
    mkdirSync(path.join(src, 'evil/empty'), { recursive: true });
    const outside = (rel: string) => !rel.startsWith('trap/home/Downloads');
    const before = treeSnapshot(root, (rel) => !outside(rel));
    const downloadsBefore = treeSnapshot(trap.downloads);
    const done = b2.next('transfer-done');
    const { transferId } = await a.manager.offer(b2.deviceId, ['a.txt', 'b.txt', 'dangling.txt', 'evil', '.ssh', 'café.txt'].map((n) => path.join(src, n)));
    expect(await a.manager.waitFor(transferId)).toEqual({ ok: true });
    expect((await done).paths).toEqual(['a (1).txt', 'b (1).txt', 'dangling (1).txt', 'evil (1)/passwd', '.ssh (1)/authorized_keys', 'café.txt']);
    expect(treeSnapshot(root, (rel) => !outside(rel))).toEqual(before); // nothing outside downloads changed
    const after = treeSnapshot(trap.downloads);
    for (const [rel, v] of Object.entries(downloadsBefore)) expect(after[rel], rel).toBe(v); // nothing inside was overwritten
    expect(readFileSync(path.join(trap.downloads, 'evil (1)/passwd'), 'utf8')).toBe('evil passwd\n');
    expect(after['evil (1)/empty']).toMatch(/^dir:/);
  });

  it('refuses a symlink planted in place of the partial folder, writing nothing through it', async () => {
    pair = await startPair({}, {});
    const { a, b, root } = pair;
    writeFile(path.join(root, 'outside/keep.txt'), 'keep\n');
    mkdirSync(b.opts.downloads, { recursive: true });
    symlinkSync(path.join(root, 'outside'), path.join(b.opts.downloads, '.peerdeck-partial'));
    const before = treeSnapshot(path.join(root, 'outside'));
    const file = writeFile(path.join(pair.src, 'x.bin'), 'data\n');
    const { transferId } = await a.manager.offer(b.deviceId, [file]);
    const result = await a.manager.waitFor(transferId);
    expect(result).toMatchObject({ ok: false, code: 'ERR_UNSAFE_PATH' });
    expect(result.reason).toContain('symlink');
    expect(treeSnapshot(path.join(root, 'outside'))).toEqual(before);
  });

  it('drops a bulk connection that presents an unknown transfer or token (N11)', async () => {
    pair = await startPair({}, {});
    const { b } = pair;
    const { dialTls } = await import('../../../src/core/tls/tls-dialer.js');
    const { fixtureIdentity } = await import('../../../fixtures/identities/index.js');
    const { systemClock } = await import('../../../src/core/clock.js');
    const { encodeMessage } = await import('../../../src/protocol/messages/index.js');
    const id = fixtureIdentity(0);
    const s = await dialTls({ host: '127.0.0.1', port: b.port, certPem: id.certPem, keyPem: id.keyPem, alpn: 'peerdeck-bulk/1', expectedDeviceId: b.deviceId, clock: systemClock });
    const closed = new Promise((r) => s.once('close', r));
    s.on('data', () => undefined);
    s.write(encodeMessage({ type: 'BULK_OPEN', id: 'nope', token: '00'.repeat(32) }));
    await closed;
    expect(b.bulkIn).toBe(1);
    expect(b.events).toEqual([]);
  });
});
