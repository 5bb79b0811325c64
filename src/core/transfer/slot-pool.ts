/**
 * Reused chunk buffers for one bulk connection, each with room for the frame
 * and chunk headers in front of a chunk's data, so nothing is allocated per
 * chunk and the pool is the connection's whole memory for data in flight.
 *
 * All slots live in one SharedArrayBuffer, so the hash worker reads a chunk in
 * place (no transfer, no copy) while the main thread goes on. Each slot's data
 * area starts on a 64-byte boundary. (V8 copies into shared memory word by
 * word only when source and target are equally aligned, else byte by byte,
 * ~6× slower: measured 41 against 264 ms/GiB.)
 *
 * - sender: fs.read fills a slot's data (the kernel copies), the worker hashes
 *   it, the headers are written in front and the frame goes to the socket from
 *   the slot: no copy in JavaScript at all.
 * - receiver: socket reads are copied into a slot, placed within its frame
 *   area to match their alignment (see BulkReceiver).
 */
import { CHUNK_FRAME_OVERHEAD } from '../../protocol/chunk-frame.js';

/** Alignment of every slot's data area (a cache line). */
export const SLOT_ALIGN = 64;
/** Unused bytes before a slot's frame, so that its data (after the headers) is aligned. */
const LEAD = (SLOT_ALIGN - (CHUNK_FRAME_OVERHEAD % SLOT_ALIGN)) % SLOT_ALIGN;

export class Slot {
  /** The whole slot: headers then data. */
  readonly frame: Buffer;
  /** The data area (chunkSize bytes), SLOT_ALIGN-aligned in the arena. */
  readonly data: Buffer;

  constructor(
    readonly index: number,
    memory: SharedArrayBuffer,
    offset: number,
    length: number,
  ) {
    this.frame = Buffer.from(memory, offset, length);
    this.data = this.frame.subarray(CHUNK_FRAME_OVERHEAD);
  }
}

export class SlotPool {
  /** The shared arena holding every slot. */
  readonly sab: SharedArrayBuffer;
  /** Distance between slots in the arena. */
  readonly stride: number;
  private readonly free: Slot[] = [];
  private readonly waiters: Array<(s: Slot) => void> = [];
  private readonly freeListeners = new Set<() => void>();
  private closed = false;

  constructor(
    readonly count: number,
    readonly chunkSize: number,
  ) {
    const frameBytes = CHUNK_FRAME_OVERHEAD + chunkSize;
    this.stride = Math.ceil((LEAD + frameBytes) / SLOT_ALIGN) * SLOT_ALIGN;
    this.sab = new SharedArrayBuffer(this.stride * count);
    for (let i = count - 1; i >= 0; i--) this.free.push(new Slot(i, this.sab, i * this.stride + LEAD, frameBytes));
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
