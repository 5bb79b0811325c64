/**
 * Chat history per peer, kept in one append-only journal. The in-memory view
 * holds the last HISTORY_PER_PEER messages of each conversation; the journal is
 * compacted when it grows well past that. Received message ids are remembered
 * so a message re-sent after a lost acknowledgement is shown once.
 *
 * A record is applied to the in-memory view when its append starts (and taken
 * back if the append fails), so a compaction written from the view holds every
 * record appended before it; appends after it land in the new file. At most one
 * compaction runs at a time: one asked for meanwhile waits for it and then runs
 * once, whatever the number of messages that arrived (issue 17: each one queued
 * its own full rewrite, each with its own copy of the history).
 */
import type { DeviceId } from '../../protocol/device-id.js';
import type { ChatMessageView, ChatState } from '../engine-api.js';
import type { RecordLog } from '../record-log.js';

export const HISTORY_PER_PEER = 500;
/**
 * ...and at most this many characters of text (1 Mi: 64 messages of the largest size, or 500
 * of 2 KiB), so the memory a peer's chat holds is capped whatever it sends. The garbage a flood
 * leaves for the GC grows with what is kept: measured with 4 peers × 10^4 × 16 KiB, peak RSS
 * was ~250 MB with 2 Mi and ~225 MB with 1 Mi (test/core/chat/chat-flood.test.ts).
 */
export const HISTORY_CHARS_PER_PEER = 1024 * 1024;
const COMPACT_FACTOR = 3;
const COMPACT_SLACK = 1_000;

export type ChatRecord =
  | { op: 'msg'; id: string; peerId: DeviceId; dir: 'in' | 'out'; text: string; at: number; state: ChatState }
  | { op: 'state'; id: string; peerId: DeviceId; state: ChatState };

export class ChatHistory {
  private readonly byPeer = new Map<DeviceId, ChatMessageView[]>();
  private records = 0;
  private version = 0;
  private compacting: Promise<void> | undefined;
  private compactAgain = false;
  /** Compactions written (tests count them). */
  compactions = 0;

  constructor(
    private readonly log: RecordLog<ChatRecord>,
    /** A background compaction failed (the records are safe in the old file). */
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  async open(): Promise<void> {
    const records = await this.log.readAll();
    this.records = records.length;
    for (const r of records) this.apply(r);
  }

  /** Changes every time the history changes (cheap snapshot invalidation). */
  get revision(): number {
    return this.version;
  }

  messages(peerId: DeviceId): readonly ChatMessageView[] {
    return this.byPeer.get(peerId) ?? [];
  }

  peers(): DeviceId[] {
    return [...this.byPeer.keys()];
  }

  has(peerId: DeviceId, id: string, dir: 'in' | 'out'): boolean {
    return this.messages(peerId).some((m) => m.id === id && m.direction === dir);
  }

  /** Append a message; resolves once it is on disk. */
  async add(m: { id: string; peerId: DeviceId; dir: 'in' | 'out'; text: string; at: number; state: ChatState }): Promise<void> {
    const r: ChatRecord = { op: 'msg', ...m };
    if (this.has(m.peerId, m.id, m.dir)) return;
    await this.write(r, () => this.unapply(m.peerId, m.id, m.dir));
    this.maybeCompact();
  }

  async setState(peerId: DeviceId, id: string, state: ChatState): Promise<void> {
    const cur = this.messages(peerId).find((m) => m.id === id && m.direction === 'out');
    if (!cur || cur.state === state) return;
    const before = cur.state;
    await this.write({ op: 'state', id, peerId, state }, () => this.apply({ op: 'state', id, peerId, state: before }));
  }

  /** Apply now (a compaction started from here on includes it), append, undo if the append fails. */
  private async write(r: ChatRecord, undo: () => void): Promise<void> {
    this.apply(r);
    this.records++;
    try {
      await this.log.append(r);
    } catch (err) {
      this.records--;
      undo();
      throw err;
    }
  }

  private unapply(peerId: DeviceId, id: string, dir: 'in' | 'out'): void {
    const list = this.byPeer.get(peerId);
    if (!list) return;
    this.byPeer.set(peerId, list.filter((m) => !(m.id === id && m.direction === dir)));
    this.version++;
  }

  private apply(r: ChatRecord): void {
    const list = this.byPeer.get(r.peerId) ?? [];
    if (r.op === 'msg') {
      if (list.some((m) => m.id === r.id && m.direction === r.dir)) return;
      const next = [...list, { id: r.id, peerId: r.peerId, direction: r.dir, text: r.text, at: r.at, state: r.state }];
      this.byPeer.set(r.peerId, trimmed(next));
    } else {
      const i = list.findIndex((m) => m.id === r.id && m.direction === 'out');
      if (i < 0) return;
      const next = list.slice();
      next[i] = { ...next[i]!, state: r.state };
      this.byPeer.set(r.peerId, next);
    }
    this.version++;
  }

  /** Resolves when no compaction is running or wanted (tests; shutdown). */
  async idle(): Promise<void> {
    while (this.compacting) await this.compacting;
  }

  private dueForCompaction(): boolean {
    let kept = 0;
    for (const l of this.byPeer.values()) kept += l.length;
    return this.records >= kept * COMPACT_FACTOR + COMPACT_SLACK;
  }

  /** Start a compaction when due; while one runs, later requests coalesce into one more run after it. */
  private maybeCompact(): void {
    if (this.compacting) {
      this.compactAgain ||= this.dueForCompaction();
      return;
    }
    if (!this.dueForCompaction()) return;
    this.compacting = this.compact()
      .catch((err: unknown) => this.onError(err))
      .finally(() => {
        this.compacting = undefined;
        const again = this.compactAgain;
        this.compactAgain = false;
        if (again) this.maybeCompact();
      });
  }

  private async compact(): Promise<void> {
    const out: ChatRecord[] = [];
    for (const l of this.byPeer.values()) {
      for (const m of l) out.push({ op: 'msg', id: m.id, peerId: m.peerId, dir: m.direction, text: m.text, at: m.at, state: m.state });
    }
    const before = this.records;
    await this.log.rewrite(out);
    this.compactions++;
    // Records appended since the rewrite was asked for are in the new file too.
    this.records = out.length + (this.records - before);
  }
}

/** The newest messages within HISTORY_PER_PEER and HISTORY_CHARS_PER_PEER (at least one). */
function trimmed(list: ChatMessageView[]): ChatMessageView[] {
  let start = Math.max(0, list.length - HISTORY_PER_PEER);
  let chars = 0;
  for (let i = list.length - 1; i >= start; i--) {
    chars += list[i]!.text.length;
    if (chars > HISTORY_CHARS_PER_PEER && i < list.length - 1) {
      start = i + 1;
      break;
    }
  }
  return start > 0 ? list.slice(start) : list;
}
