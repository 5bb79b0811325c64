/**
 * Issue 17, item 3: a pinned peer keeps offering big file lists to an
 * auto-accepting receiver and never opens a data connection. The receiver
 * (a real transfer manager in its own process, journals on disk) accepts at
 * most MAX_IDLE_ACCEPTED_PER_PEER of them and refuses the rest with BUSY, so
 * its journal and RSS stay within the caps; an accepted transfer that gets
 * no data is ended after the idle time (TIMEOUT to the sender), its records
 * leave the journal, and the sender can offer again. An offer whose file list
 * is over MAX_OFFER_MANIFEST_BYTES is refused with BAD_OFFER.
 * Before the fix: 12 offers of ~8 MB lists added 90 MB of journal and 270 MB of RSS, kept for ever.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_IDLE_ACCEPTED_PER_PEER, MAX_OFFER_MANIFEST_BYTES } from '../../../src/core/transfer/constants.js';
import type { Message, OfferFile } from '../../../src/protocol/messages/index.js';
import { ChildPeer } from './helpers/child.js';
import { cleanupTempDirs, tempDir } from './helpers/files.js';
import { MiniPeer } from './helpers/mini-peer.js';
import { waitUntil } from './helpers/pair.js';

// Longer than the 12 offers take to answer (the 4 accepted ones validate 18,000 paths each).
const IDLE_MS = 15_000;
const children: ChildPeer[] = [];
let hostile: MiniPeer | undefined;
afterEach(async () => {
  for (const c of children.splice(0)) await c.kill().catch(() => undefined);
  await hostile?.stop();
  hostile = undefined;
  cleanupTempDirs();
});

/** A file list weighing just under `bytes` (offer-check.ts manifestBytes): long paths of 1-byte files. */
function fileList(bytes: number, tag: string): OfferFile[] {
  const stem = `${tag}/${'p'.repeat(180)}`;
  const files: OfferFile[] = [];
  let weight = Buffer.byteLength(tag) + 8;
  for (let i = 0; ; i++) {
    const p = `${stem}${i}`;
    const w = Buffer.byteLength(p) + 32;
    if (weight + w > bytes) return files;
    weight += w;
    files.push({ path: p, size: 1 });
  }
}

async function offer(from: MiniPeer, to: string, id: string, files: OfferFile[]): Promise<Message> {
  const n = from.received.length;
  from.sendRaw(to as never, { type: 'OFFER', id, files, dirs: [id], chunkSize: 1048576, totalBytes: files.length });
  let answer: Message | undefined;
  await waitUntil(() => {
    answer = from.received.slice(n).find((r) => 'id' in r.msg && r.msg.id === id && r.msg.type !== 'OFFER')?.msg;
    return answer !== undefined;
  }, 20_000, `answer to ${id}`);
  return answer!;
}

describe('offers that never get data (issue 17)', () => {
  it('caps accepted-idle transfers per peer, expires them, and keeps journal and RSS within the caps', { timeout: 180_000 }, async () => {
    const root = tempDir();
    // A first child pays for transpiling the TypeScript sources (cached afterwards), so it is not in the figures.
    await (await ChildPeer.spawn({ identity: 2, downloads: path.join(root, 'warm') })).exit();
    const stateDir = path.join(root, 'state');
    const victim = await ChildPeer.spawn({ identity: 1, downloads: path.join(root, 'dl'), stateDir, policy: 'auto-accept', reserveBytes: 0, acceptedIdleMs: IDLE_MS, recordReceived: false });
    children.push(victim);
    hostile = await MiniPeer.start({ identity: 0, downloads: path.join(root, 'hostile-dl') });
    hostile.trust(victim.deviceId, victim.port);
    victim.send({ cmd: 'trust', deviceId: hostile.deviceId, port: hostile.port });
    await hostile.connect(victim.deviceId);
    await waitUntil(() => hostile!.online(victim.deviceId));
    const journal = path.join(stateDir, 'transfers-in.journal');
    const size = () => statSync(journal).size;

    const weight = MAX_OFFER_MANIFEST_BYTES - 64 * 1024;
    // All 12 back to back: none may slip past the count while the first ones are still being accepted.
    const answers = await Promise.all(Array.from({ length: 12 }, (_, k) => offer(hostile!, victim.deviceId, `flood${k}`, fileList(weight, `flood${k}`))));
    const accepted = answers.filter((m) => m.type === 'OFFER_ACCEPT');
    const busy = answers.filter((m) => m.type === 'OFFER_DENY' && m.code === 'BUSY');
    expect(accepted).toHaveLength(MAX_IDLE_ACCEPTED_PER_PEER);
    expect(busy).toHaveLength(12 - MAX_IDLE_ACCEPTED_PER_PEER);
    const journalFull = size();
    const stats = await victim.stats();
    console.log(`12 offers of ${(weight / 1e6).toFixed(1)} MB lists: ${accepted.length} accepted; journal ${(journalFull / 1e6).toFixed(1)} MB; victim RSS ready ${(victim.readyRss / 1e6).toFixed(0)} MB, peak ${(stats.peakRssSinceReady / 1e6).toFixed(0)} MB`);
    // Each accepted manifest is journalled once (as JSON, a little heavier than its weight).
    expect(journalFull).toBeLessThan(MAX_IDLE_ACCEPTED_PER_PEER * MAX_OFFER_MANIFEST_BYTES * 1.25);
    expect(stats.peakRssSinceReady).toBeLessThan(250e6);

    // No data comes: each accepted one is ended with TIMEOUT, and the journal lets go of them.
    await waitUntil(() => accepted.every((a) => hostile!.received.some((r) => r.msg.type === 'CANCEL' && r.msg.id === (a as { id: string }).id && r.msg.code === 'TIMEOUT')), 60_000, "idle expiry");
    await waitUntil(() => size() < 64 * 1024, 10_000, 'the receiver journal to shrink');

    // The sender can offer again.
    const again = await offer(hostile, victim.deviceId, 'again1', fileList(weight, 'again1'));
    expect(again.type).toBe('OFFER_ACCEPT');

    // One list over the per-offer cap: BAD_OFFER, saying why.
    const tooBig = await offer(hostile, victim.deviceId, 'toobig', fileList(MAX_OFFER_MANIFEST_BYTES + 64 * 1024, 'toobig'));
    expect(tooBig).toMatchObject({ type: 'OFFER_DENY', code: 'BAD_OFFER' });
    expect((tooBig as { reason: string }).reason).toMatch(/cap per offer/);
  });
});
