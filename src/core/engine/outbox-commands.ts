/** `peerdeck outbox`'s list / retry / cancel over the engine's outbox, as plain entries. */
import type { DeviceId } from '../../protocol/device-id.js';
import type { Clock } from '../clock.js';
import { EngineError } from '../errors.js';
import type { Outbox, OutboxItem } from '../outbox/outbox.js';
import { findOutboxItem, outboxEntry, type OutboxEntry } from '../outbox/outbox-entry.js';

export interface OutboxCommandDeps {
  outbox(): Outbox;
  clock: Clock;
  nameOf(id: DeviceId): string;
  wantPeer(id: DeviceId): void;
  cancel(id: string): void;
  waitFor(pred: () => boolean, ms: number): Promise<boolean>;
}

export class OutboxCommands {
  constructor(private readonly d: OutboxCommandDeps) {}

  entries(): OutboxEntry[] {
    return this.d.outbox().list().map((it) => this.entry(it));
  }

  retry(id: string): OutboxEntry {
    const outbox = this.d.outbox();
    const it = findOutboxItem(outbox, id);
    if (!outbox.retryNow(it.id)) throw new EngineError('ERR_USAGE', `outbox item ${it.id} is ${it.state}, not waiting for a retry`, 'usage');
    this.d.wantPeer(it.peerId);
    return this.entry(outbox.get(it.id)!);
  }

  async cancel(id: string): Promise<OutboxEntry> {
    const outbox = this.d.outbox();
    const it = findOutboxItem(outbox, id);
    if (it.state !== 'queued' && it.state !== 'sending') throw new EngineError('ERR_USAGE', `outbox item ${it.id} is already ${it.state}`, 'usage');
    this.d.cancel(it.id);
    await this.d.waitFor(() => outbox.get(it.id)?.state === 'cancelled', 2_000);
    return this.entry(outbox.get(it.id)!);
  }

  private entry(it: OutboxItem): OutboxEntry {
    return outboxEntry(it, this.d.nameOf(it.peerId), this.d.clock.now());
  }
}
