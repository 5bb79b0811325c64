/**
 * `peerdeck hash FILE`: a file's root hash (the identity transfers verify and
 * a swarm manifest will name), read once in CHUNK_SIZE pieces.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { CHUNK_SIZE } from '../protocol/chunk-frame.js';
import { RootHasher } from '../protocol/root-hash.js';
import { EngineError } from './errors.js';

export async function hashFile(path: string, chunkSize = CHUNK_SIZE): Promise<{ root: string; size: number; chunks: number; chunkSize: number }> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw new EngineError('ERR_BAD_SOURCE', `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, 'usage', { cause: err });
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new EngineError('ERR_BAD_SOURCE', `${path} is not a regular file`, 'usage');
    const root = new RootHasher(st.size, chunkSize);
    const buf = Buffer.allocUnsafe(chunkSize);
    let offset = 0;
    let chunks = 0;
    while (offset < st.size) {
      const want = Math.min(chunkSize, st.size - offset);
      let got = 0;
      while (got < want) {
        const { bytesRead } = await fh.read(buf, got, want - got, offset + got);
        if (bytesRead === 0) throw new EngineError('ERR_SOURCE_CHANGED', `${path} shrank while it was read`, 'local');
        got += bytesRead;
      }
      root.update(createHash('sha256').update(buf.subarray(0, want)).digest());
      offset += want;
      chunks++;
    }
    const after = await fh.stat();
    if (after.size !== st.size || after.mtimeMs !== st.mtimeMs) throw new EngineError('ERR_SOURCE_CHANGED', `${path} changed while it was read`, 'local');
    return { root: root.digest().toString('hex'), size: st.size, chunks, chunkSize };
  } finally {
    await fh.close();
  }
}
