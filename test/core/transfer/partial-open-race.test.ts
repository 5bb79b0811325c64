/**
 * Regression (found by lab/hostile F5/N11, issue 16): a new offer's partial
 * folder is opened while other transfers of the same downloads folder are
 * being removed. Each removal rmdir()s the shared `.peerdeck-partial` base
 * when it looks empty, so `PartialDir.open` can lose the race more than once;
 * with a single retry it failed with ENOENT and the honest offer was denied
 * ("BUSY cannot write the download: ENOENT"). Against the old code (one retry,
 * the base made outside the try) this test failed 3 runs of 3 (1, 3, 4 of 300 rounds).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { nodeFs } from '../../../src/core/transfer/fs-ops.js';
import { PartialDir } from '../../../src/core/transfer/partial.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('opens a partial folder while other transfers keep removing theirs (and the shared base)', async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pd-partial-race-'));
  const downloads = dir;
  let failures = 0;
  for (let round = 0; round < 300; round++) {
    const old = await Promise.all(Array.from({ length: 8 }, (_, i) => PartialDir.open(downloads, `old-${round}-${i}`, 16384, nodeFs)));
    const results = await Promise.allSettled([...old.map((p) => p.remove()), PartialDir.open(downloads, `new-${round}`, 16384, nodeFs)]);
    const opened = results.at(-1)!;
    if (opened.status === 'rejected') failures++;
    else await (opened.value as PartialDir).remove();
  }
  expect(failures).toBe(0);
});
