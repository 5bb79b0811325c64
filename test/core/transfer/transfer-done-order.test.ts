/**
 * "Done" means the receiver verified and published every file: the sender
 * hears it only after the receiver is done (state, journal, event), both ends
 * report 100 % before done, and the receiver's row names what actually landed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TransferEvent } from '../../../src/core/transfer/events.js';
import { MemoryLog } from '../../helpers/memory-log.js';
import { cleanupTempDirs, pseudoRandom, writeFile } from './helpers/files.js';
import { startPair, type Pair } from './helpers/pair.js';

let pair: Pair | undefined;
afterEach(async () => {
  await pair?.stop();
  pair = undefined;
  cleanupTempDirs();
});

/** A journal whose 'end' records take a while to reach the disk (a slow fsync). */
class SlowEndLog<T> extends MemoryLog<T> {
  override async append(r: T): Promise<void> {
    if ((r as { op?: string }).op === 'end') await new Promise((res) => setTimeout(res, 300));
    await super.append(r);
  }
}

const progressOf = (events: TransferEvent[], id: string) =>
  events.filter((e): e is Extract<TransferEvent, { type: 'transfer-progress' }> => e.type === 'transfer-progress' && e.id === id);

describe('sender done only after the receiver is done', () => {
  it('the receiver is done (event and view) when the sender says done; both reach 100 %; the row shows the landed name', async () => {
    const logs = new Map<string, MemoryLog<unknown>>([['transfers-in', new SlowEndLog<unknown>()]]);
    pair = await startPair({ chunkSize: 64 * 1024 }, { logs });
    const p = pair;
    // report.pdf is taken in bob's downloads: it lands as "report (1).pdf".
    mkdirSync(p.b.opts.downloads, { recursive: true });
    writeFileSync(path.join(p.b.opts.downloads, 'report.pdf'), 'already here');
    const file = writeFile(path.join(p.src, 'report.pdf'), pseudoRandom(3 * 64 * 1024 + 17, 5));

    let receiverAtSenderDone: { event: boolean; state?: string; bytesDone?: number } | undefined;
    const senderDone = p.a.next('transfer-done');
    const { transferId } = await p.a.manager.offer(p.b.deviceId, [file]);
    void senderDone.then(() => {
      const view = p.b.manager.views().find((v) => v.id === transferId);
      receiverAtSenderDone = { event: p.b.events.some((e) => e.type === 'transfer-done' && e.id === transferId), state: view?.state, bytesDone: view?.bytesDone };
    });
    expect(await p.a.manager.waitFor(transferId)).toEqual({ ok: true });
    await senderDone;
    const total = 3 * 64 * 1024 + 17;
    expect(receiverAtSenderDone).toEqual({ event: true, state: 'done', bytesDone: total });

    for (const side of [p.a, p.b]) {
      const prog = progressOf(side.events, transferId);
      expect(prog.at(-1)).toMatchObject({ bytes: total, total });
      const doneAt = side.events.findIndex((e) => e.type === 'transfer-done' && e.id === transferId);
      expect(side.events.indexOf(prog.at(-1)!)).toBeLessThan(doneAt);
    }
    const row = p.b.manager.views().find((v) => v.id === transferId)!;
    expect(row.label).toBe('report (1).pdf');
    expect(row.bytesDone).toBe(row.bytesTotal);
  });
});
