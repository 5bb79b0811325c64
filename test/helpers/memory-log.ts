import type { RecordLog } from '../../src/core/record-log.js';

/** An in-memory RecordLog for unit tests; records are deep-copied like a real journal would. */
export class MemoryLog<T> implements RecordLog<T> {
  records: T[] = [];
  async append(r: T): Promise<void> {
    await new Promise((res) => setImmediate(res));
    this.records.push(structuredClone(r));
  }
  async readAll(): Promise<T[]> {
    return structuredClone(this.records);
  }
  async rewrite(rs: T[] | ((current: T[]) => T[])): Promise<void> {
    this.records = structuredClone(typeof rs === 'function' ? rs(structuredClone(this.records)) : rs);
  }
}
