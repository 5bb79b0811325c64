/**
 * Start-up: the journals, compacted (restore.ts folds them), become the
 * transfers that were running or recently finished, handed to the manager one
 * by one. An incoming transfer whose files were all verified before the stop
 * is flagged to publish now.
 */
import type { DeviceId } from '../../protocol/device-id.js';
import type { Offer } from '../../protocol/messages/transfer.js';
import type { RecordLog } from '../record-log.js';
import { IncomingTransfer, type IncomingContext } from './incoming.js';
import { manifestBytes } from './offer-check.js';
import { OutgoingTransfer } from './outgoing.js';
import type { InRecord, OutRecord } from './records.js';
import { foldIncoming, foldOutgoing } from './restore.js';

export interface RestoreSink {
  outgoing(t: OutgoingTransfer): void;
  /** `publishNow`: everything was verified before the stop and it had not ended. */
  incoming(t: IncomingTransfer, publishNow: boolean): void;
}

export async function restoreTransfers(ctx: IncomingContext, outLog: RecordLog<OutRecord>, inLog: RecordLog<InRecord>, nameOf: (peer: DeviceId) => string, sink: RestoreSink): Promise<void> {
  const out = foldOutgoing(await outLog.readAll());
  await outLog.rewrite(out.keep);
  for (const r of out.live) {
    sink.outgoing(new OutgoingTransfer(ctx, outLog, { id: r.id, peerId: r.peer, chunkSize: r.chunkSize, files: r.files, dirs: r.dirs, roots: r.roots }));
  }
  const inc = foldIncoming(await inLog.readAll());
  await inLog.rewrite(inc.keep);
  for (const r of [...inc.finished, ...inc.live]) {
    const offer: Offer = { type: 'OFFER', id: r.id, files: r.files, dirs: [...r.dirs], chunkSize: r.chunkSize, totalBytes: r.files.reduce((s, f) => s + f.size, 0) };
    const t = new IncomingTransfer(ctx, inLog, nameOf(r.peer), offer, r.peer, { verified: r.verified, tops: r.tops, published: r.published });
    if (r.end) {
      t.state = r.end.state;
      t.doneMessage = { type: 'TRANSFER_DONE', id: r.id, files: r.files.map((_, i) => ({ path: r.published.get(i) ?? '', root: r.verified.get(i) ?? '' })) };
    }
    t.manifestBytes = manifestBytes(offer);
    sink.incoming(t, !r.end && r.verified.size === r.files.length);
  }
}
