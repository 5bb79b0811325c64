/** `peerdeck hash` on a FIFO refuses at once instead of hanging (issue 17, item 5). */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireBuild, run, tempDir } from './cli-harness.js';

beforeAll(requireBuild);

describe('peerdeck hash (real process)', () => {
  it('refuses a FIFO with a one-line reason and a non-zero exit', async () => {
    const dir = tempDir();
    try {
      const fifo = join(dir.path, 'pipe');
      execFileSync('mkfifo', [fifo]);
      const r = await run(['hash', fifo], { timeoutMs: 10_000 });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/not a regular file/);
    } finally {
      dir.remove();
    }
  });
});
