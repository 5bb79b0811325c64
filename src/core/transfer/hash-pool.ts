/**
 * SHA-256 off the socket thread. The worker gets chunk memory without a copy:
 * a view of a SharedArrayBuffer (a SlotPool arena) is hashed in place, and
 * only a few numbers cross in each direction. The main thread keeps
 * decrypting, parsing and issuing writes meanwhile. Measured on the 2-core
 * box: one worker hashes 1 MiB chunks at ~1.7 GB/s with a ~0.1 ms round trip,
 * so small chunks (< INLINE_HASH_BYTES) are hashed inline instead.
 *
 * (Transferring owned ArrayBuffers there and back instead cost the receiver
 * ~0.5 s of GC and ~0.2 s of postMessage per GiB: every transfer makes a new
 * 1 MiB ArrayBuffer in the receiving isolate, and V8 collects on that external
 * memory growth.)
 *
 * The worker is plain CommonJS passed as a string (`eval: true`), so it runs
 * the same from dist/, from vitest and from the TypeScript test hooks.
 */
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { INLINE_HASH_BYTES } from './constants.js';

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const arenas = new Map();
parentPort.on('message', (m) => {
  if (m.op === 'attach') { arenas.set(m.key, m.sab); return; }
  if (m.op === 'detach') { arenas.delete(m.key); return; }
  const sab = arenas.get(m.key);
  const d = createHash('sha256').update(new Uint8Array(sab, m.off, m.len)).digest();
  parentPort.postMessage({ id: m.id, d });
});
`;

interface Job {
  resolve(d: Buffer): void;
  reject(e: Error): void;
}

export function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

export class HashPool {
  private worker: Worker | undefined;
  private readonly jobs = new Map<number, Job>();
  private readonly arenas = new Map<SharedArrayBuffer, number>();
  private seq = 0;
  private closed = false;

  /** SHA-256 of `data`: in the worker when it is a big view of a shared buffer, else right here. */
  hash(data: Buffer): Promise<Buffer> {
    const sab = data.buffer;
    if (this.closed || data.length < INLINE_HASH_BYTES || !(sab instanceof SharedArrayBuffer)) {
      return Promise.resolve(sha256(data));
    }
    const w = this.ensureWorker();
    let key = this.arenas.get(sab);
    if (key === undefined) {
      key = ++this.seq;
      this.arenas.set(sab, key);
      w.postMessage({ op: 'attach', key, sab });
    }
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.jobs.set(id, { resolve, reject });
      w.postMessage({ op: 'hash', id, key, off: data.byteOffset, len: data.length });
    });
  }

  /**
   * Start the worker now if it is not running: a worker takes ~30 ms to boot, which
   * would otherwise stall the first chunk of a transfer. Called when one is coming.
   */
  warm(): void {
    if (!this.closed) this.ensureWorker();
  }

  /** Forget a shared buffer (its slot pool is gone). */
  detach(sab: SharedArrayBuffer | undefined): void {
    if (!sab) return;
    const key = this.arenas.get(sab);
    if (key === undefined) return;
    this.arenas.delete(sab);
    this.worker?.postMessage({ op: 'detach', key });
  }

  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = undefined;
    this.fail(new Error('hash pool closed'));
    if (w) await w.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(WORKER_SOURCE, { eval: true });
    w.unref(); // sockets, not this worker, keep a process alive
    w.on('message', (m: { id: number; d: Uint8Array }) => {
      const job = this.jobs.get(m.id);
      if (!job) return;
      this.jobs.delete(m.id);
      job.resolve(Buffer.from(m.d.buffer, m.d.byteOffset, m.d.byteLength));
    });
    const lost = (err: Error) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      this.arenas.clear(); // a new worker has no arenas attached
      this.fail(err);
    };
    w.on('error', lost);
    w.on('exit', (code) => lost(new Error(`hash worker exited (${code})`)));
    this.worker = w;
    return w;
  }

  private fail(err: Error): void {
    const jobs = [...this.jobs.values()];
    this.jobs.clear();
    for (const j of jobs) j.reject(err);
  }
}
