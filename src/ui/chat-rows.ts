/**
 * Chat log rows, pure. Every message starts with an app-owned prefix (time,
 * sender) and its wrapped continuation rows are indented under it, so a peer
 * cannot forge a line that looks like ours (T2). Outgoing messages end with
 * their state as glyph and word: ◷ queued → ✓ sent → ✓✓ delivered, or ✗ failed.
 */
import type { ChatMessageView, ChatState } from '../core/engine-api.js';
import { safeName, safeText } from './safe.js';
import { type Row, type Tone, displayWidth, padTo, seg, wrap } from './text.js';

export const CHAT_STATE: Record<ChatState, { readonly tag: string; readonly tone: Tone }> = {
  queued: { tag: '◷ queued', tone: 'warn' },
  sent: { tag: '✓ sent', tone: 'muted' },
  delivered: { tag: '✓✓ delivered', tone: 'ok' },
  received: { tag: '', tone: 'normal' },
  failed: { tag: '✗ failed', tone: 'error' },
};

/** Sender column width. */
const NAME_COLS = 8;
/** A single message never takes more rows than this; the rest is elided. */
const MAX_ROWS_PER_MESSAGE = 40;

function clock(at: number): string {
  const d = new Date(at);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

export function messageRows(m: ChatMessageView, peerName: string, width: number): Row[] {
  const who = m.direction === 'out' ? 'me' : safeName(peerName);
  const prefix = `${clock(m.at)} ${padTo(who, NAME_COLS)} `;
  const indent = ' '.repeat(displayWidth(prefix));
  const avail = Math.max(4, width - displayWidth(prefix));
  const body = wrap(safeText(m.text), avail, MAX_ROWS_PER_MESSAGE);
  const st = CHAT_STATE[m.state];
  const rows: Row[] = body.map((text, i) => ({
    segments: i === 0 ? [seg(prefix.slice(0, 6), 'muted'), seg(prefix.slice(6), m.direction === 'out' ? 'accent' : undefined, true), seg(text)] : [seg(indent), seg(text)],
  }));
  if (m.direction === 'out' && st.tag) {
    const last = rows[rows.length - 1];
    const lastText = body[body.length - 1] ?? '';
    if (last && displayWidth(lastText) + 1 + displayWidth(st.tag) <= avail) {
      rows[rows.length - 1] = { segments: [...last.segments, seg(` ${st.tag}`, st.tone)] };
    } else {
      rows.push({ segments: [seg(indent), seg(st.tag, st.tone)] });
    }
  }
  return rows;
}

/**
 * The last `height` rows of the conversation, ending `scroll` messages
 * before the newest. Built from the end, so a long history costs nothing.
 */
export function chatRows(messages: readonly ChatMessageView[], opts: { width: number; height: number; scroll: number; peerName: string }): Row[] {
  if (messages.length === 0) return [{ segments: [seg('No messages yet.', 'muted')] }];
  const rows: Row[] = [];
  const last = Math.max(0, messages.length - 1 - opts.scroll);
  for (let i = last; i >= 0 && rows.length < opts.height; i--) {
    const m = messages[i];
    if (m) rows.unshift(...messageRows(m, opts.peerName, opts.width));
  }
  return rows.slice(Math.max(0, rows.length - opts.height));
}
