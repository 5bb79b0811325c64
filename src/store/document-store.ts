/**
 * The Store logic shared by the conf and memory stores: settings and pins are
 * one small document, loaded once and written through a backend on every
 * change; journals live in a JournalDirectory.
 */
import { EngineError } from '../common/errors.js';
import type { DeviceId } from '../protocol/device-id.js';
import type { JournalDirectory } from './journal-dir.js';
import type { Journal } from './journal.js';
import { JsonJournal } from './json-journal.js';
import { DeviceIdSchema, PinEntrySchema, SettingsSchema, type PinEntry, type StoreData } from './schema.js';
import type { PinnedPeer, Settings, Store } from './store.js';

export interface StoreBackend {
  /** Durably replace the stored document (throw on failure; the store then keeps the old one). */
  save(data: StoreData): void;
}

const nameKey = (name: string) => name.normalize('NFC').toLowerCase();

export class DocumentStore implements Store {
  constructor(
    private data: StoreData,
    private readonly defaults: Settings,
    private readonly backend: StoreBackend,
    private readonly journals: JournalDirectory,
  ) {}

  getSettings(): Settings {
    return structuredClone({ ...this.defaults, ...this.data.settings });
  }

  getStoredSettings(): Partial<Settings> {
    return structuredClone(this.data.settings);
  }

  clearSettings(keys: readonly (keyof Settings)[]): Settings {
    const settings = { ...this.data.settings };
    for (const k of keys) delete settings[k];
    this.commit({ ...this.data, settings });
    return this.getSettings();
  }

  updateSettings(patch: Partial<Settings>): Settings {
    const parsed = SettingsSchema.partial().safeParse(patch);
    if (!parsed.success) throw storeError(`invalid settings: ${parsed.error.issues.map(issueText).join('; ')}`);
    this.commit({ ...this.data, settings: { ...this.data.settings, ...parsed.data } });
    return this.getSettings();
  }

  listPins(): PinnedPeer[] {
    return Object.entries(this.data.pins)
      .map(([id, entry]) => toPin(id as DeviceId, entry))
      .sort((a, b) => nameKey(a.name).localeCompare(nameKey(b.name)) || a.deviceId.localeCompare(b.deviceId));
  }

  getPin(id: DeviceId): PinnedPeer | undefined {
    const entry = Object.hasOwn(this.data.pins, id) ? this.data.pins[id] : undefined;
    return entry && toPin(id, entry);
  }

  putPin(pin: PinnedPeer): void {
    if (!DeviceIdSchema.safeParse(pin.deviceId).success) throw storeError(`invalid device ID ${JSON.stringify(pin.deviceId)}`);
    const { deviceId, ...rest } = pin;
    const parsed = PinEntrySchema.safeParse(rest);
    if (!parsed.success) throw storeError(`invalid pin for ${deviceId}: ${parsed.error.issues.map(issueText).join('; ')}`);
    this.commit({ ...this.data, pins: { ...this.data.pins, [deviceId]: parsed.data } });
  }

  removePin(id: DeviceId): boolean {
    if (!Object.hasOwn(this.data.pins, id)) return false;
    const pins = { ...this.data.pins };
    delete pins[id];
    this.commit({ ...this.data, pins });
    return true;
  }

  findPinsByName(name: string): PinnedPeer[] {
    const key = nameKey(name.trim());
    return this.listPins().filter((p) => nameKey(p.name) === key);
  }

  openJournal(name: string): Promise<Journal> {
    return this.journals.openJournal(name);
  }

  async openLog<T>(name: string, parse?: (value: unknown) => T): Promise<JsonJournal<T>> {
    return new JsonJournal<T>(await this.journals.openJournal(name), parse);
  }

  listJournals(): Promise<string[]> {
    return this.journals.list();
  }

  removeJournal(name: string): Promise<boolean> {
    return this.journals.remove(name);
  }

  close(): Promise<void> {
    return this.journals.closeAll();
  }

  /** Save first; only a saved document becomes the current one. */
  private commit(next: StoreData): void {
    try {
      this.backend.save(next);
    } catch (err) {
      if (err instanceof EngineError) throw err;
      throw storeError(`could not save settings and pins: ${(err as Error).message}`, err);
    }
    this.data = next;
  }
}

function toPin(deviceId: DeviceId, entry: PinEntry): PinnedPeer {
  return { deviceId, ...structuredClone(entry) };
}

function issueText(issue: { path: PropertyKey[]; message: string }): string {
  return issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}

export function storeError(message: string, cause?: unknown): EngineError {
  return new EngineError('ERR_STORE', message, 'local', cause === undefined ? undefined : { cause });
}
