/**
 * `peerdeck hash FILE`: a file's root hash (src/protocol/root-hash.ts), read
 * once in chunk-size pieces with a bounded buffer, the same value a transfer
 * reports in TRANSFER_DONE for that file.
 */
import { constants as fsc } from 'node:fs';
import { stat } from 'node:fs/promises';
import { CHUNK_SIZE } from '../../protocol/chunk-frame.js';
import { chunkCount, chunkLength, RootHasher } from '../../protocol/root-hash.js';
import { EngineError } from '../errors.js';
import { errnoCode, nodeFs, type TransferFs } from './fs-ops.js';
import { sha256 } from './hash-pool.js';

export interface FileRoot {
  /** 64 lower-case hex digits. */
  readonly root: string;
  readonly size: number;
  readonly chunkSize: number;
  readonly chunks: number;
}

/**
 * Root hash of a regular file. Throws ERR_BAD_SOURCE (missing, not a regular file) or
 * ERR_SOURCE_CHANGED (changed while read). A FIFO, socket or device is refused without being
 * opened (opening a FIFO for reading waits for a writer for ever); should one be swapped in
 * after that check, O_NONBLOCK keeps the open from waiting and fstat refuses it.
 */
export async function hashFile(file: string, chunkSize = CHUNK_SIZE, fs: TransferFs = nodeFs): Promise<FileRoot> {
  let fd: number;
  try {
    if (!(await stat(file)).isFile()) throw new EngineError('ERR_BAD_SOURCE', `${file} is not a regular file`, 'usage');
    fd = await fs.open(file, fsc.O_RDONLY | fsc.O_NONBLOCK);
  } catch (err) {
    if (err instanceof EngineError) throw err;
    throw new EngineError('ERR_BAD_SOURCE', `cannot read ${file}: ${errnoCode(err) ?? String(err)}`, 'usage', { cause: err });
  }
  try {
    const before = await fs.fstat(fd);
    if (!before.isFile()) throw new EngineError('ERR_BAD_SOURCE', `${file} is not a regular file`, 'usage');
    const size = before.size;
    const hasher = new RootHasher(size, chunkSize);
    const buf = Buffer.allocUnsafe(Math.min(chunkSize, Math.max(size, 1)));
    const n = chunkCount(size, chunkSize);
    for (let k = 0; k < n; k++) {
      const len = chunkLength(size, chunkSize, k);
      if ((await fs.read(fd, buf, 0, len, k * chunkSize)) !== len) throw new EngineError('ERR_SOURCE_CHANGED', `${file} got shorter while it was read`, 'local');
      hasher.update(sha256(buf.subarray(0, len)));
    }
    const after = await fs.fstat(fd);
    if (after.size !== size || after.mtimeMs !== before.mtimeMs) throw new EngineError('ERR_SOURCE_CHANGED', `${file} changed while it was read`, 'local');
    return { root: hasher.digest().toString('hex'), size, chunkSize, chunks: n };
  } finally {
    await fs.close(fd);
  }
}
