/**
 * The Store in memory, for tests: the same logic as the conf store (settings,
 * pins, validation) and the same journal code over an in-memory file system.
 * Stores opened on one `MemoryBacking` see each other's saved data, like two
 * conf stores opened on one directory.
 */
import { DocumentStore } from './document-store.js';
import { JournalDirectory } from './journal-dir.js';
import type { JournalIo } from './journal-io.js';
import { memoryJournalIo } from './memory-journal-io.js';
import { emptyStoreData, type StoreData } from './schema.js';
import { defaultSettings, type DefaultsSource, type Store } from './store.js';

export class MemoryBacking {
  data: StoreData = emptyStoreData();
  readonly io: JournalIo = memoryJournalIo();
}

export interface MemoryStoreOptions {
  backing?: MemoryBacking;
  defaults?: DefaultsSource;
}

export function createMemoryStore(options: MemoryStoreOptions = {}): Store {
  const backing = options.backing ?? new MemoryBacking();
  const backend = {
    save(data: StoreData) {
      backing.data = structuredClone(data);
    },
  };
  return new DocumentStore(
    structuredClone(backing.data),
    defaultSettings(options.defaults),
    backend,
    new JournalDirectory('/memory/data', backing.io),
  );
}
