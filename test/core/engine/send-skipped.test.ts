/** A folder sent with a FIFO inside: the FIFO is skipped without being opened, and the user gets a notice saying so (issue 17, item 5). */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/core/engine/engine.js';
import { fixtureIdentity } from '../../../fixtures/identities/index.js';
import { MemoryEngineStore, tempDownloads } from '../../helpers/memory-engine-store.js';

const engines: Engine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.shutdown()));
});

describe('send: special files in a folder', () => {
  it('skips a FIFO (never opened: the send does not hang) and says so in a notice', async () => {
    const store = new MemoryEngineStore();
    const peer = fixtureIdentity(7).deviceId;
    store.putPin({ deviceId: peer, name: 'away', pinnedAt: 1, policy: 'ask' });
    const e = new Engine({ identity: fixtureIdentity(6), store, name: 'me', listen: null, discovery: null, downloadsDir: tempDownloads() });
    engines.push(e);
    await e.start();
    const dir = path.join(tempDownloads(), 'folder');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'a.txt'), 'a');
    execFileSync('mkfifo', [path.join(dir, 'pipe')]);
    const r = await e.queueSend(peer, [dir]);
    expect(r.duplicate).toBe(false);
    const texts = e.snapshotNow().notices.map((n) => n.text);
    expect(texts.some((t) => /skipped 1 item, never opened: pipe \(not a regular file\)/.test(t))).toBe(true);
  });
});
