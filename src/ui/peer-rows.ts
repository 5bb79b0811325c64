/**
 * Peers pane rows, pure: two rows per peer. Row one: selection marker, name,
 * short device ID (always beside the name, T3), verified mark. Row two: state
 * as glyph AND word (never colour alone), then last seen, verification and RTT
 * — the lower-priority parts are dropped when the pane is narrow.
 */
import type { PeerState, PeerView } from '../core/engine-api.js';
import { formatAgo, formatRtt } from './format.js';
import { safeName } from './safe.js';
import { type Row, type Tone, displayWidth, joinFitting, seg, truncate } from './text.js';

export const PEER_STATE: Record<PeerState, { readonly glyph: string; readonly word: string; readonly tone: Tone }> = {
  online: { glyph: '●', word: 'online', tone: 'ok' },
  connecting: { glyph: '◌', word: 'connecting', tone: 'accent' },
  stale: { glyph: '◐', word: 'stale', tone: 'warn' },
  offline: { glyph: '○', word: 'offline', tone: 'muted' },
};

export const VERIFIED_MARK = '✓';
export const UNVERIFIED_MARK = '?';
export const ROWS_PER_PEER = 2;

export function peerEntry(peer: PeerView, width: number, selected: boolean, nowWall: number): Row[] {
  const mark = peer.verified ? VERIFIED_MARK : UNVERIFIED_MARK;
  const fixed = 2 + 1 + displayWidth(peer.shortId) + 2; // "› " + " " + id + " ✓"
  const name = truncate(safeName(peer.name), Math.max(1, width - fixed));
  const first: Row = {
    selected,
    segments: [
      seg(selected ? '› ' : '  '),
      seg(name, undefined, true),
      seg(` ${peer.shortId}`, 'muted'),
      seg(` ${mark}`, peer.verified ? 'ok' : 'warn'),
    ],
  };
  const st = PEER_STATE[peer.state];
  // Dropped from the end when the pane is narrow; the ✓/? mark on row one always stays.
  const parts = [
    `${st.glyph} ${st.word}`,
    peer.state !== 'online' && peer.lastSeen !== undefined ? formatAgo(peer.lastSeen, nowWall) : '',
    peer.verified ? '' : 'unverified',
    peer.state === 'online' || peer.state === 'stale' ? formatRtt(peer.rttMs) : '',
  ];
  const detail = joinFitting(parts, Math.max(1, width - 4));
  const second: Row = { selected, segments: [seg('    '), seg(detail, st.tone)] };
  return [first, second];
}

/** First entry to show so that `selected` stays visible in `visible` entries. */
export function windowStart(count: number, selected: number, visible: number): number {
  if (visible <= 0 || count <= visible) return 0;
  const half = Math.floor(visible / 2);
  return Math.max(0, Math.min(selected - half, count - visible));
}

export function peerRows(peers: readonly PeerView[], opts: { width: number; height: number; selectedId?: string; nowWall: number }): Row[] {
  if (peers.length === 0) {
    return [
      { segments: [seg('No peers yet.', 'muted')] },
      { segments: [seg('Peers on this network appear here', 'muted')] },
      { segments: [seg('within a second or two.', 'muted')] },
    ];
  }
  const sel = Math.max(
    0,
    peers.findIndex((p) => p.deviceId === opts.selectedId),
  );
  const visible = Math.max(1, Math.floor(opts.height / ROWS_PER_PEER));
  const start = windowStart(peers.length, sel, visible);
  const rows: Row[] = [];
  for (let i = start; i < Math.min(peers.length, start + visible); i++) {
    const p = peers[i];
    if (p) rows.push(...peerEntry(p, opts.width, i === sel, opts.nowWall));
  }
  return rows;
}
