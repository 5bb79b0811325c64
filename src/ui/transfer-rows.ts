/**
 * Transfers pane rows, pure: two rows per transfer. Row one: direction (arrow
 * and the word to/from), label, peer, and a right-aligned state or percent.
 * Row two depends on the state: progress bar with bytes, rate and ETA; the
 * outbox's attempt count and next attempt; or the reason it failed.
 */
import type { OfferView, TransferState, TransferView } from '../core/engine-api.js';
import { formatBytes, formatCountdown, formatEta, formatRate, percent, progressBar } from './format.js';
import { binding } from './keymap.js';
import { windowStart } from './peer-rows.js';
import { safeLine, safeName } from './safe.js';
import { type Row, type Tone, displayWidth, joinFitting, seg, truncate } from './text.js';

export const TRANSFER_STATE: Record<TransferState, { readonly glyph: string; readonly word: string; readonly tone: Tone }> = {
  offered: { glyph: '…', word: 'offered', tone: 'accent' },
  queued: { glyph: '◷', word: 'queued', tone: 'warn' },
  retrying: { glyph: '↻', word: 'retrying', tone: 'warn' },
  active: { glyph: '▸', word: 'active', tone: 'accent' },
  paused: { glyph: '‖', word: 'paused', tone: 'warn' },
  verifying: { glyph: '⧗', word: 'verifying', tone: 'accent' },
  done: { glyph: '✓', word: 'done', tone: 'ok' },
  failed: { glyph: '✗', word: 'failed', tone: 'error' },
  cancelled: { glyph: '⊘', word: 'cancelled', tone: 'muted' },
  denied: { glyph: '⊘', word: 'denied', tone: 'muted' },
};

export const ROWS_PER_TRANSFER = 2;
/** Narrowest useful progress bar. */
const MIN_BAR = 5;
const MAX_BAR = 40;

function rightWord(t: TransferView): string {
  if (t.state === 'active') return `${percent(t.bytesDone, t.bytesTotal)}%`;
  const st = TRANSFER_STATE[t.state];
  return `${st.glyph} ${st.word}`;
}

function detail(t: TransferView, width: number, nowMono: number): { text: string; tone: Tone; bar?: string } {
  const st = TRANSFER_STATE[t.state];
  const peer = safeName(t.peerName);
  const size = `${formatBytes(t.bytesDone)}/${formatBytes(t.bytesTotal)}`;
  switch (t.state) {
    case 'active': {
      const info = joinFitting([size, formatRate(t.rate), `ETA ${formatEta(t.etaSeconds)}`], Math.max(0, width - MIN_BAR - 1));
      const barWidth = Math.max(MIN_BAR, Math.min(MAX_BAR, width - displayWidth(info) - 1));
      return { bar: progressBar(t.bytesDone, t.bytesTotal, barWidth), text: info, tone: 'accent' };
    }
    case 'queued':
    case 'retrying': {
      const attempts = t.attempts > 0 ? `attempt ${t.attempts}` : '';
      const next = `next attempt ${formatCountdown(t.nextAttemptAt, nowMono)}`;
      const why = t.error ? safeLine(t.error.message) : t.state === 'queued' ? 'peer offline' : '';
      return { text: joinFitting([`${st.glyph} ${st.word}`, next, attempts, why], width), tone: st.tone };
    }
    case 'paused':
      return { text: joinFitting([`${st.glyph} paused`, t.error ? safeLine(t.error.message) : '', size], width), tone: st.tone };
    case 'verifying':
      return { text: joinFitting([`${st.glyph} verifying`, formatBytes(t.bytesTotal)], width), tone: st.tone };
    case 'offered':
      return {
        text: t.direction === 'send' ? `${st.glyph} waiting for ${peer} to accept` : `${st.glyph} waiting for your answer`,
        tone: st.tone,
      };
    case 'done':
      return { text: joinFitting([`${st.glyph} done`, formatBytes(t.bytesTotal)], width), tone: st.tone };
    case 'failed': {
      const reason = t.error ? `${safeLine(t.error.message)} (${safeLine(t.error.code, 40)})` : 'unknown reason';
      return { text: `${st.glyph} failed: ${reason}`, tone: st.tone };
    }
    case 'cancelled':
      return { text: `${st.glyph} cancelled`, tone: st.tone };
    case 'denied':
      return { text: t.direction === 'send' ? `${st.glyph} denied by ${peer}` : `${st.glyph} declined`, tone: st.tone };
  }
}

export function transferEntry(t: TransferView, width: number, selected: boolean, nowMono: number): Row[] {
  const arrow = t.direction === 'send' ? '↑' : '↓';
  const prep = t.direction === 'send' ? 'to' : 'from';
  const right = rightWord(t);
  const st = TRANSFER_STATE[t.state];
  const room = Math.max(1, width - 2 - displayWidth(right) - 1);
  const peer = safeName(t.peerName);
  const label = safeLine(t.label);
  // The label gives way before the peer name; both stay visible on narrow panes.
  const peerPart = ` ${prep} ${truncate(peer, Math.max(6, Math.floor(room / 3)))}`;
  const labelPart = truncate(label, Math.max(1, room - 2 - displayWidth(peerPart)));
  const left = truncate(`${arrow} ${labelPart}${peerPart}`, room);
  const gap = ' '.repeat(Math.max(1, width - 2 - displayWidth(left) - displayWidth(right)));
  const first: Row = {
    selected,
    segments: [seg(selected ? '› ' : '  '), seg(left, undefined, true), seg(gap), seg(right, st.tone)],
  };
  const d = detail(t, width - 4, nowMono);
  const second: Row = {
    selected,
    segments: d.bar ? [seg('    '), seg(d.bar, d.tone), seg(` ${d.text}`)] : [seg('    '), seg(d.text, d.tone)],
  };
  return [first, second];
}

/** An offer put aside with Esc: still pending, with the key that brings it back. */
export function pendingOfferEntry(o: OfferView, width: number): Row[] {
  const st = TRANSFER_STATE.offered;
  const right = `${st.glyph} ${st.word}`;
  const room = Math.max(1, width - 2 - displayWidth(right) - 1);
  const label = o.files.length === 1 ? safeLine(o.files[0]?.path) : `${o.files.length} files`;
  const peerPart = ` from ${truncate(safeName(o.peerName), Math.max(6, Math.floor(room / 3)))}`;
  const left = truncate(`↓ ${truncate(label, Math.max(1, room - 2 - displayWidth(peerPart)))}${peerPart}`, room);
  const gap = ' '.repeat(Math.max(1, width - 2 - displayWidth(left) - displayWidth(right)));
  const key = binding('answerOffer').label;
  return [
    { segments: [seg('  '), seg(left, undefined, true), seg(gap), seg(right, st.tone)] },
    {
      segments: [
        seg('    '),
        seg(truncate(`${st.glyph} waiting for your answer · ${formatBytes(o.totalBytes)} · `, Math.max(1, width - 4 - displayWidth(key) - 8)), st.tone),
        seg(key, 'key', true),
        seg(' answers'),
      ],
    },
  ];
}

export function transferRows(
  transfers: readonly TransferView[],
  opts: { width: number; height: number; selectedId?: string; nowMono: number; pendingOffers?: readonly OfferView[] },
): Row[] {
  const pending = (opts.pendingOffers ?? []).flatMap((o) => pendingOfferEntry(o, opts.width));
  if (pending.length > 0) {
    const rest = opts.height - pending.length;
    const below = transfers.length > 0 && rest >= ROWS_PER_TRANSFER ? transferRows(transfers, { ...opts, height: rest, pendingOffers: [] }) : [];
    return [...pending.slice(0, Math.max(ROWS_PER_TRANSFER, opts.height - below.length)), ...below];
  }
  if (transfers.length === 0) {
    return [{ segments: [seg(`No transfers. Select a peer and press ${binding('send').label} to send.`, 'muted')] }];
  }
  const sel = Math.max(
    0,
    transfers.findIndex((t) => t.id === opts.selectedId),
  );
  const visible = Math.max(1, Math.floor(opts.height / ROWS_PER_TRANSFER));
  const start = windowStart(transfers.length, sel, visible);
  const rows: Row[] = [];
  for (let i = start; i < Math.min(transfers.length, start + visible); i++) {
    const t = transfers[i];
    if (t) rows.push(...transferEntry(t, opts.width, i === sel, opts.nowMono));
  }
  return rows;
}
