/**
 * The Store on disk: settings and pins in `<config-dir>/config.json` through
 * conf (0600, atomic write + fsync, then the directory is fsynced too),
 * journals in `<config-dir>/data/`.
 *
 * conf does not support several processes writing one file. One engine owns a
 * config dir at a time (`engine.lock`); other commands go through its control
 * socket instead of opening this store.
 *
 * The file is validated with the zod schema (not conf's ajv `schema` option:
 * compiling that costs ~100 ms on every start). A config.json that does not
 * parse or fails the schema is refused with
 * `ERR_STORE`, never reset: it holds the pins.
 */
import { chmodSync, statSync } from 'node:fs';
import Conf from 'conf';
import { ensureConfigDir, type ConfigPaths } from '../common/config-dir.js';
import { DocumentStore, storeError } from './document-store.js';
import { syncDirSync } from './durable-fs.js';
import { JournalDirectory } from './journal-dir.js';
import { nodeJournalIo } from './journal-io.js';
import { emptyStoreData, StoreDataSchema, type StoreData } from './schema.js';
import { defaultSettings, type DefaultsSource, type Store } from './store.js';

export interface ConfStoreOptions {
  /** Host name and home for the default settings (tests). */
  defaults?: DefaultsSource;
}

export async function openConfStore(paths: Pick<ConfigPaths, 'root'>, options: ConfStoreOptions = {}): Promise<Store> {
  const { root, configFile, dataDir } = await ensureConfigDir(paths.root);
  let conf: Conf<StoreData>;
  try {
    conf = new Conf<StoreData>({
      cwd: root,
      configName: 'config',
      projectSuffix: '',
      configFileMode: 0o600,
      defaults: emptyStoreData(),
      clearInvalidConfig: false,
      accessPropertiesByDotNotation: false,
      watch: false,
    });
  } catch (err) {
    throw storeError(`${configFile} is unreadable or invalid (${(err as Error).message}); fix it or move it away`, err);
  }
  if (conf.path !== configFile) throw storeError(`conf chose ${conf.path}, expected ${configFile}`);
  if (statSync(configFile).mode & 0o077) chmodSync(configFile, 0o600);
  const parsed = StoreDataSchema.safeParse(conf.store);
  if (!parsed.success) throw storeError(`${configFile} is invalid: ${parsed.error.message}; fix it or move it away`);
  const backend = {
    save(data: StoreData) {
      conf.store = data;
      syncDirSync(root);
    },
  };
  return new DocumentStore(parsed.data, defaultSettings(options.defaults), backend, new JournalDirectory(dataDir, nodeJournalIo));
}
