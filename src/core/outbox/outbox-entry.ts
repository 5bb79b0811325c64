/**
 * An outbox item as `peerdeck outbox` and the control socket show it: plain
 * JSON, the peer named, the next attempt as seconds from now.
 */
import type { DeviceId } from '../../protocol/device-id.js';
import { EngineError } from '../errors.js';
import type { OutboxItem } from './outbox.js';

export interface OutboxEntry {
  id: string;
  kind: 'chat' | 'send';
  deviceId: DeviceId;
  peer: string;
  state: string;
  attempts: number;
  /** Seconds until the next attempt, while queued. */
  nextAttemptIn?: number;
  what: string;
  lastError?: { code: string; message: string };
  createdAt: number;
}

export function outboxEntry(it: OutboxItem, peerName: string, now: number): OutboxEntry {
  const p = it.payload as { text?: string; paths?: string[] };
  const what = it.kind === 'chat' ? `message: ${(p.text ?? '').slice(0, 60)}` : `send: ${(p.paths ?? []).join(', ')}`;
  return {
    id: it.id,
    kind: it.kind,
    deviceId: it.peerId,
    peer: peerName,
    state: it.state,
    attempts: it.attempts,
    ...(it.state === 'queued' && it.nextAttemptAt !== undefined ? { nextAttemptIn: Math.max(0, Math.round((it.nextAttemptAt - now) / 1000)) } : {}),
    what,
    ...(it.lastError ? { lastError: it.lastError } : {}),
    createdAt: it.createdAt,
  };
}

/** An outbox item by id or unique id prefix (at least 4 characters). */
export function findOutboxItem(items: { get(id: string): OutboxItem | undefined; list(): OutboxItem[] }, id: string): OutboxItem {
  const exact = items.get(id);
  if (exact) return exact;
  const matches = id.length >= 4 ? items.list().filter((it) => it.id.startsWith(id)) : [];
  if (matches.length === 1) return matches[0]!;
  throw new EngineError(matches.length ? 'ERR_PEER_AMBIGUOUS' : 'ERR_PEER_UNKNOWN', matches.length ? `${id} matches ${matches.length} outbox items` : `no outbox item ${id}`, 'usage');
}
