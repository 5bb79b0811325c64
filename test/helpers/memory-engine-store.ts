import type { DeviceId } from '../../src/protocol/device-id.js';
import type { EngineStore, PinnedPeer } from '../../src/core/engine/engine.js';
import type { RecordLog } from '../../src/core/record-log.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryLog } from './memory-log.js';

/** A fresh downloads folder for a test engine. */
export function tempDownloads(): string {
  return mkdtempSync(join(tmpdir(), 'peerdeck-dl-'));
}

/** Pins and logs in memory; logs survive as long as this object (a "restart" reuses it). */
export class MemoryEngineStore implements EngineStore {
  pins = new Map<DeviceId, PinnedPeer>();
  logs = new Map<string, MemoryLog<unknown>>();
  listPins(): PinnedPeer[] {
    return [...this.pins.values()];
  }
  getPin(id: DeviceId): PinnedPeer | undefined {
    return this.pins.get(id);
  }
  putPin(pin: PinnedPeer): void {
    this.pins.set(pin.deviceId, { ...pin });
  }
  removePin(id: DeviceId): boolean {
    return this.pins.delete(id);
  }
  async openLog<T>(name: string): Promise<RecordLog<T>> {
    let l = this.logs.get(name);
    if (!l) {
      l = new MemoryLog<unknown>();
      this.logs.set(name, l);
    }
    return l as unknown as RecordLog<T>;
  }
}
