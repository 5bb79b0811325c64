/**
 * Reused chunk buffers for one bulk connection, each with room for the frame
 * and chunk headers in front of a chunk's data, so nothing is allocated per
 * chunk and the pool is the connection's whole memory for data in flight.
 *
 * Two layouts, chosen by where the bytes come from (measured on the 2-core box):
 * - shared (sender): all slots in one SharedArrayBuffer. fs.read fills a slot
 *   (the kernel copies), the hash worker reads it in place, and the frame is
 *   written to the socket from it: no copy in JavaScript at all.
 * - owned (receiver): one ArrayBuffer per slot. The receiver must copy the
 *   socket's 16 KiB reads into the slot, and V8 copies into shared memory with
 *   a slow element-safe memmove (~150 ms/GiB against ~35 ms/GiB); an owned
 *   slot is instead *transferred* to the hash worker and back (zero-copy).
 */
import { CHUNK_FRAME_OVERHEAD } from '../../protocol/chunk-frame.js';

export class Slot {
  /** The whole slot: headers then data. Replaced when the slot's memory comes back from the hash worker. */
  frame!: Buffer;
  /** The data area (chunkSize bytes). */
  data!: Buffer;

  constructor(
    readonly index: number,
    memory: ArrayBufferLike,
    offset: number,
    length: number,
  ) {
    this.bind(memory, offset, length);
  }

  bind(memory: ArrayBufferLike, offset: number, length: number): void {
    this.frame = Buffer.from(memory, offset, length);
    this.data = this.frame.subarray(CHUNK_FRAME_OVERHEAD);
  }
}

export class SlotPool {
  /** The shared arena (shared pools only). */
  readonly sab: SharedArrayBuffer | undefined;
  readonly slotBytes: number;
  private readonly free: Slot[] = [];
  private readonly waiters: Array<(s: Slot) => void> = [];
  private readonly freeListeners = new Set<() => void>();
  private closed = false;

  constructor(
    readonly count: number,
    readonly chunkSize: number,
    readonly shared = true,
  ) {
    this.slotBytes = CHUNK_FRAME_OVERHEAD + chunkSize;
    this.sab = shared ? new SharedArrayBuffer(this.slotBytes * count) : undefined;
    for (let i = count - 1; i >= 0; i--) {
      this.free.push(this.sab ? new Slot(i, this.sab, i * this.slotBytes, this.slotBytes) : new Slot(i, new ArrayBuffer(this.slotBytes), 0, this.slotBytes));
    }
  }

  get available(): number {
    return this.free.length;
  }

  tryAcquire(): Slot | undefined {
    return this.free.pop();
  }

  /** A free slot, waiting for one if all are in use; undefined once the pool is closed. */
  acquire(): Promise<Slot | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    const s = this.free.pop();
    if (s) return Promise.resolve(s);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Stop handing out slots: pending and later acquire() calls get undefined. */
  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) (w as (s: Slot | undefined) => void)(undefined);
  }

  release(slot: Slot): void {
    if (slot.frame.buffer.byteLength === 0) slot.bind(new ArrayBuffer(this.slotBytes), 0, this.slotBytes); // lost in a dead worker
    const w = this.waiters.shift();
    if (w) return w(slot);
    this.free.push(slot);
    for (const fn of [...this.freeListeners]) fn();
  }

  /** Called whenever a slot goes back to the free list. */
  onFree(fn: () => void): () => void {
    this.freeListeners.add(fn);
    return () => this.freeListeners.delete(fn);
  }
}
