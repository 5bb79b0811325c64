/**
 * Chat history per peer, kept in one append-only journal. The in-memory view
 * holds the last HISTORY_PER_PEER messages of each conversation; the journal is
 * compacted when it grows well past that. Received message ids are remembered
 * so a message re-sent after a lost acknowledgement is shown once.
 */
import type { DeviceId } from '../../protocol/device-id.js';
import type { ChatMessageView, ChatState } from '../engine-api.js';
import type { RecordLog } from '../record-log.js';

export const HISTORY_PER_PEER = 500;
const COMPACT_FACTOR = 3;
const COMPACT_SLACK = 1_000;

export type ChatRecord =
  | { op: 'msg'; id: string; peerId: DeviceId; dir: 'in' | 'out'; text: string; at: number; state: ChatState }
  | { op: 'state'; id: string; peerId: DeviceId; state: ChatState };

export class ChatHistory {
  private readonly byPeer = new Map<DeviceId, ChatMessageView[]>();
  private records = 0;
  private version = 0;

  constructor(private readonly log: RecordLog<ChatRecord>) {}

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
    await this.log.append(r);
    this.records++;
    this.apply(r);
    await this.maybeCompact();
  }

  async setState(peerId: DeviceId, id: string, state: ChatState): Promise<void> {
    const cur = this.messages(peerId).find((m) => m.id === id && m.direction === 'out');
    if (!cur || cur.state === state) return;
    const r: ChatRecord = { op: 'state', id, peerId, state };
    await this.log.append(r);
    this.records++;
    this.apply(r);
  }

  private apply(r: ChatRecord): void {
    const list = this.byPeer.get(r.peerId) ?? [];
    if (r.op === 'msg') {
      if (list.some((m) => m.id === r.id && m.direction === r.dir)) return;
      const next = [...list, { id: r.id, peerId: r.peerId, direction: r.dir, text: r.text, at: r.at, state: r.state }];
      this.byPeer.set(r.peerId, next.length > HISTORY_PER_PEER ? next.slice(-HISTORY_PER_PEER) : next);
    } else {
      const i = list.findIndex((m) => m.id === r.id && m.direction === 'out');
      if (i < 0) return;
      const next = list.slice();
      next[i] = { ...next[i]!, state: r.state };
      this.byPeer.set(r.peerId, next);
    }
    this.version++;
  }

  private async maybeCompact(): Promise<void> {
    let kept = 0;
    for (const l of this.byPeer.values()) kept += l.length;
    if (this.records < kept * COMPACT_FACTOR + COMPACT_SLACK) return;
    const out: ChatRecord[] = [];
    for (const l of this.byPeer.values()) {
      for (const m of l) out.push({ op: 'msg', id: m.id, peerId: m.peerId, dir: m.direction, text: m.text, at: m.at, state: m.state });
    }
    await this.log.rewrite(out);
    this.records = out.length;
  }
}
