/**
 * Reused chunk buffers for one bulk connection: `count` slots in one
 * SharedArrayBuffer, each with room for the frame and chunk headers in front of
 * a chunk's data, so the sender builds whole CHUNK frames in place and the
 * hash worker reads the data where it lies. Nothing is allocated per chunk;
 * the pool is the connection's whole memory for data in flight.
 */
import { CHUNK_FRAME_OVERHEAD } from '../../protocol/chunk-frame.js';

export interface Slot {
  readonly index: number;
  /** The whole slot: headers then data. */
  readonly frame: Buffer;
  /** The data area (chunkSize bytes). */
  readonly data: Buffer;
}

export class SlotPool {
  readonly sab: SharedArrayBuffer;
  private readonly free: Slot[] = [];
  private readonly waiters: Array<(s: Slot) => void> = [];
  private readonly freeListeners = new Set<() => void>();

  constructor(
    readonly count: number,
    readonly chunkSize: number,
  ) {
    const slotBytes = CHUNK_FRAME_OVERHEAD + chunkSize;
    this.sab = new SharedArrayBuffer(slotBytes * count);
    for (let i = count - 1; i >= 0; i--) {
      const frame = Buffer.from(this.sab, i * slotBytes, slotBytes);
      this.free.push({ index: i, frame, data: frame.subarray(CHUNK_FRAME_OVERHEAD) });
    }
  }

  get available(): number {
    return this.free.length;
  }

  tryAcquire(): Slot | undefined {
    return this.free.pop();
  }

  /** A free slot, waiting for one if all are in use. */
  acquire(): Promise<Slot> {
    const s = this.free.pop();
    if (s) return Promise.resolve(s);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(slot: Slot): void {
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
