/**
 * Journals → what was running when the process stopped. Folds the records of
 * each transfer; ended ones are dropped (the receiver keeps its last few
 * finished ones, to answer a re-offer of a finished transfer with its
 * TRANSFER_DONE again). Also returns the compacted record list to rewrite.
 */
import type { DeviceId } from '../../protocol/device-id.js';
import type { OfferFile } from '../../protocol/messages/transfer.js';
import { fromJournal, type EndState, type InRecord, type OutgoingFileRecord, type OutRecord } from './records.js';

/** Finished incoming transfers remembered across restarts. */
const KEEP_FINISHED_INCOMING = 20;

export interface RestoredOutgoing {
  readonly id: string;
  readonly peer: DeviceId;
  readonly chunkSize: number;
  readonly files: OutgoingFileRecord[];
  readonly dirs: readonly string[];
  readonly roots: Readonly<Record<string, string>>;
}

export function foldOutgoing(records: readonly OutRecord[]): { live: RestoredOutgoing[]; keep: OutRecord[] } {
  const byId = new Map<string, { t: RestoredOutgoing; records: OutRecord[]; ended: boolean }>();
  for (const r of records) {
    if (r.op === 'offer') {
      byId.set(r.id, { t: { id: r.id, peer: r.peer, chunkSize: r.chunkSize, files: fromJournal(r.files, r.roots), dirs: r.dirs, roots: r.roots }, records: [r], ended: false });
      continue;
    }
    const e = byId.get(r.id);
    if (!e) continue;
    e.records.push(r);
    if (r.op === 'end') e.ended = true;
    else if (e.t.files[r.file]) e.t.files[r.file] = { ...e.t.files[r.file]!, size: r.size, mtimeMs: r.mtimeMs, ino: r.ino, dev: r.dev };
  }
  const live = [...byId.values()].filter((e) => !e.ended);
  return { live: live.map((e) => e.t), keep: live.flatMap((e) => e.records) };
}

export interface RestoredIncoming {
  readonly id: string;
  readonly peer: DeviceId;
  readonly chunkSize: number;
  readonly files: OfferFile[];
  readonly dirs: readonly string[];
  readonly verified: Map<number, string>;
  readonly tops: Map<string, string>;
  readonly published: Map<number, string>;
  end?: { state: EndState; code?: string; reason?: string };
}

export function foldIncoming(records: readonly InRecord[]): { live: RestoredIncoming[]; finished: RestoredIncoming[]; keep: InRecord[] } {
  const byId = new Map<string, { t: RestoredIncoming; records: InRecord[] }>();
  for (const r of records) {
    if (r.op === 'accept') {
      const t: RestoredIncoming = { id: r.id, peer: r.peer, chunkSize: r.chunkSize, files: r.files.map((f) => ({ ...f })), dirs: r.dirs, verified: new Map(), tops: new Map(), published: new Map() };
      byId.set(r.id, { t, records: [r] });
      continue;
    }
    const e = byId.get(r.id);
    if (!e) continue;
    e.records.push(r);
    const t = e.t;
    switch (r.op) {
      case 'resize':
        if (t.files[r.file]) t.files[r.file] = { ...t.files[r.file]!, size: r.size };
        break;
      case 'verified':
        t.verified.set(r.file, r.root);
        break;
      case 'top':
        t.tops.set(r.name, r.as);
        break;
      case 'published':
        t.published.set(r.file, r.path);
        break;
      case 'end':
        t.end = { state: r.state, ...(r.code ? { code: r.code } : {}), ...(r.reason ? { reason: r.reason } : {}) };
        break;
    }
  }
  const all = [...byId.values()];
  const live = all.filter((e) => !e.t.end);
  const finished = all.filter((e) => e.t.end?.state === 'done').slice(-KEEP_FINISHED_INCOMING);
  const keepIds = new Set([...live, ...finished].map((e) => e.t.id));
  return {
    live: live.map((e) => e.t),
    finished: finished.map((e) => e.t),
    keep: all.filter((e) => keepIds.has(e.t.id)).flatMap((e) => e.records),
  };
}
