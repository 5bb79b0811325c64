/**
 * What the engine needs from durable storage: an append-only log of JSON
 * records, each on disk (fsynced) before `append` resolves, read back in order,
 * and rewritten whole for compaction. The store's journal provides it in
 * production; tests may use memory.
 */
export interface RecordLog<T> {
  append(record: T): Promise<void>;
  readAll(): Promise<T[]>;
  /**
   * Replace everything with `records`, or with what `transform` makes of the current records;
   * the transform form holds appends back meanwhile, so none is lost between read and rewrite.
   */
  rewrite(records: T[] | ((current: T[]) => T[])): Promise<void>;
}
