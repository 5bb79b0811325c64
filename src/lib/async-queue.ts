/** A push queue read as an async iterator; ends on end(), on `signal` (the pending read rejects with AbortError) or on return(). */
import { AbortError } from '../core/app/app-errors.js';

export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private readonly waiters: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void }[] = [];
  private done = false;
  private failure: unknown;
  private readonly endHooks: (() => void)[] = [];

  constructor(private readonly signal?: AbortSignal) {
    if (signal?.aborted) this.end(new AbortError());
    else signal?.addEventListener('abort', () => this.end(new AbortError()), { once: true });
  }

  push(item: T): void {
    if (this.done) return;
    const w = this.waiters.shift();
    if (w) w.resolve({ done: false, value: item });
    else this.items.push(item);
  }

  onEnd(fn: () => void): void {
    if (this.done) fn();
    else this.endHooks.push(fn);
  }

  end(err?: unknown): void {
    if (this.done) return;
    this.done = true;
    this.failure = err;
    for (const w of this.waiters.splice(0)) {
      if (err) w.reject(err);
      else w.resolve({ done: true, value: undefined });
    }
    for (const fn of this.endHooks.splice(0)) fn();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length) return Promise.resolve({ done: false, value: this.items.shift()! });
    if (this.done) return this.failure ? Promise.reject(this.failure) : Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  async return(): Promise<IteratorResult<T>> {
    this.end();
    return { done: true, value: undefined };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
