/**
 * Sends go through the persistent outbox: a send to a peer that is offline
 * waits (and survives restarts), and the same send queued twice is one item.
 * When the peer is reachable the outbox hands the item here and it becomes an
 * offer in the transfer manager, under the same id; the item is delivered when
 * the receiver confirms every file verified and published, and failed for good
 * on a refusal. After a restart, a transfer the manager restored is picked up
 * again rather than offered twice.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { DeviceId } from '../../protocol/device-id.js';
import type { Clock, Random } from '../clock.js';
import type { TransferView } from '../engine-api.js';
import { EngineError } from '../errors.js';
import type { Outbox, OutboxItem } from '../outbox/outbox.js';
import type { ScanResult } from '../transfer/scan.js';
import type { TransferManager } from '../transfer/transfer-manager.js';

export interface SendPayload {
  /** Absolute local paths, as the user gave them. */
  paths: string[];
  fileCount: number;
  totalBytes: number;
}

/** Failures worth another attempt later (the peer went away); anything else is final. */
const RETRYABLE = new Set(['ERR_PEER_OFFLINE', 'ERR_PEER_UNREACHABLE', 'ERR_CONNECTION_CLOSED', 'ERR_IDLE_TIMEOUT', 'ERR_HANDSHAKE_TIMEOUT']);

export interface FileSendsDeps {
  transfers: TransferManager;
  outbox: Outbox;
  clock: Clock;
  random: Random;
  isOnline(peerId: DeviceId): boolean;
  wantPeer(peerId: DeviceId): void;
  nameOf(peerId: DeviceId): string;
  onError(err: unknown): void;
  onDelivered(item: OutboxItem): void;
}

export class FileSends {
  /** Items whose transfer we are already waiting on (so a second hand-over doesn't offer twice). */
  private readonly running = new Set<string>();

  constructor(private readonly d: FileSendsDeps) {}

  /** Check the sources now (a bad path fails here, not later), then queue. */
  async send(peerId: DeviceId, paths: readonly string[]): Promise<{ id: string; duplicate: boolean; skipped: ScanResult['skipped'] }> {
    if (!paths.length) throw new EngineError('ERR_BAD_SOURCE', 'nothing to send', 'usage');
    const scan = await this.d.transfers.scan(paths);
    const payload: SendPayload = { paths: [...paths], fileCount: scan.files.length, totalBytes: scan.totalBytes };
    const dedupeKey = `send:${createHash('sha256').update(JSON.stringify([...paths].sort())).digest('hex')}`;
    const id = this.d.random.bytes(16).toString('hex');
    const { item, duplicate } = await this.d.outbox.add({ id, peerId, kind: 'send', dedupeKey, payload, createdAt: this.d.clock.wallNow() });
    return { id: item.id, duplicate, skipped: scan.skipped };
  }

  /** The outbox says: try this one now. */
  deliver(item: OutboxItem): void {
    if (this.running.has(item.id)) return;
    const known = this.d.transfers.has(item.id);
    if (!known && !this.d.isOnline(item.peerId)) {
      this.bg(this.d.outbox.markRetry(item.id, { code: 'ERR_PEER_OFFLINE', message: 'peer is offline' }));
      this.d.wantPeer(item.peerId);
      return;
    }
    this.running.add(item.id);
    this.bg(this.run(item, known).finally(() => this.running.delete(item.id)));
  }

  private async run(item: OutboxItem, known: boolean): Promise<void> {
    const { paths } = item.payload as SendPayload;
    if (!known) {
      try {
        await this.d.transfers.offer(item.peerId, paths, { transferId: item.id });
      } catch (err) {
        const e = err instanceof EngineError ? err : new EngineError('ERR_INTERNAL', String(err));
        if (RETRYABLE.has(e.code)) await this.d.outbox.markRetry(item.id, { code: e.code, message: e.message });
        else await this.d.outbox.markFailed(item.id, { code: e.code, message: e.message });
        return;
      }
    }
    const r = await this.d.transfers.waitFor(item.id);
    if (r.ok) {
      await this.d.outbox.markDelivered(item.id);
      this.d.onDelivered(item);
    }
    else if (r.code && RETRYABLE.has(r.code)) await this.d.outbox.markRetry(item.id, { code: r.code, message: r.reason ?? r.code });
    else await this.d.outbox.markFailed(item.id, { code: r.code ?? 'ERR_INTERNAL', message: r.reason ?? 'transfer failed' });
  }

  /** Sends still waiting in the outbox (not yet offered), shown as transfers. */
  queuedViews(): TransferView[] {
    const out: TransferView[] = [];
    for (const it of this.d.outbox.list()) {
      if (it.kind !== 'send' || this.d.transfers.has(it.id)) continue;
      if (it.state !== 'queued' && it.state !== 'failed' && it.state !== 'cancelled') continue;
      const p = it.payload as SendPayload;
      out.push({
        id: it.id,
        direction: 'send',
        peerId: it.peerId,
        peerName: this.d.nameOf(it.peerId),
        label: p.paths.length === 1 ? basename(p.paths[0]!) : `${p.paths.length} items`,
        fileCount: p.fileCount,
        bytesDone: 0,
        bytesTotal: p.totalBytes,
        rate: 0,
        state: it.state === 'queued' ? (it.attempts > 0 ? 'retrying' : 'queued') : it.state,
        attempts: it.attempts,
        ...(it.nextAttemptAt !== undefined ? { nextAttemptAt: it.nextAttemptAt } : {}),
        ...(it.lastError ? { error: it.lastError } : {}),
      });
    }
    return out;
  }

  private bg(p: Promise<unknown>): void {
    p.catch((err: unknown) => this.d.onError(err));
  }
}
