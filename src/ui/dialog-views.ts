/**
 * The contents of each dialog as rows, pure. Peer-supplied strings (names,
 * addresses, file names) are neutralised and cut to one line each; the code
 * and the question sit on their own app-owned lines.
 */
import { shortId } from '../protocol/device-id.js';
import type { Dialog } from './dialogs.js';
import { formatBytes, formatCode, formatCountdown, percent } from './format.js';
import { safeLine, safeName } from './safe.js';
import { type Row, displayWidth, seg, truncate } from './text.js';

type Pairing = Extract<Dialog, { kind: 'pairing' }>;
type Offer = Extract<Dialog, { kind: 'offer' }>;
type Confirm = Extract<Dialog, { kind: 'confirm-quit' | 'confirm-cancel' }>;

export interface DialogBody {
  readonly rows: readonly Row[];
  readonly yes?: string;
  readonly no: string;
  readonly esc?: string;
}

const blank: Row = { segments: [seg('')] };

function who(name: string, id: string, width: number): string {
  return `${truncate(safeName(name), Math.max(1, width - id.length - 3))} (${id})`;
}

export function pairingTitle(d: Pairing): string {
  return d.pairing.direction === 'incoming' ? 'Pairing request' : 'Pairing';
}

export function pairingBody(d: Pairing, width: number, now?: number): DialogBody {
  const p = d.pairing;
  const id = shortId(p.peerId);
  const rows: Row[] = [
    { segments: [seg(d.pairing.direction === 'incoming' ? 'Asks to pair with you:' : 'You asked to pair with:', 'muted')] },
    { segments: [seg('  '), seg(who(p.peerName, id, width - 2), undefined, true)] },
    { segments: [seg('  Address  ', 'muted'), seg(truncate(safeLine(p.address, 128), width - 11))] },
    ...(p.expiresAt !== undefined && now !== undefined
      ? [
          p.expiresAt > now
            ? { segments: [seg('  Expires  ', 'muted'), seg(formatCountdown(p.expiresAt, now), p.expiresAt - now <= 10_000 ? 'warn' : undefined)] }
            : { segments: [seg('  Expires  ', 'muted'), seg('timed out', 'error', true)] },
        ]
      : []),
    blank,
  ];
  if (!p.code) {
    rows.push({ segments: [seg('  Code     ', 'muted'), seg('computing…', 'muted')] });
    rows.push(blank);
    rows.push({ segments: [seg('Wait for the code to appear on both screens.')] });
    return { rows, no: 'cancel' };
  }
  rows.push({ segments: [seg('  Code     ', 'muted'), seg(formatCode(p.code), 'accent', true)] });
  rows.push(blank);
  if (d.waiting) {
    rows.push({ segments: [seg('✓ Confirmed here.', 'ok', true)] });
    rows.push({ segments: [seg(`Waiting for ${truncate(safeName(p.peerName), Math.max(1, width - 28))} to confirm the same code…`)] });
    return { rows, no: 'cancel pairing' };
  }
  rows.push({ segments: [seg('Does the other screen show the same code?', undefined, true)] });
  rows.push({ segments: [seg('If the codes differ, answer no: someone may be in between.', 'muted')] });
  return { rows, yes: 'yes, same code', no: 'no' };
}

export function offerTitle(d: Offer): string {
  return d.offer.files.length === 1 ? 'Incoming file' : `Incoming files (${d.offer.files.length})`;
}

/** Offer: who, the file list (scrollable, every name reachable, N13), total, free space. */
export function offerBody(d: Offer, width: number, height: number, scroll: number): DialogBody {
  const o = d.offer;
  const head: Row[] = [
    { segments: [seg(who(o.peerName, shortId(o.peerId), width), undefined, true), seg(' wants to send you:')] },
  ];
  const total = `Total ${formatBytes(o.totalBytes)} in ${o.files.length} file${o.files.length === 1 ? '' : 's'}`;
  const free = o.freeBytes === undefined ? 'free space unknown' : `${formatBytes(o.freeBytes)} free`;
  const tooBig = o.freeBytes !== undefined && o.totalBytes > o.freeBytes;
  const where = o.destination === undefined ? undefined : `to ${safeLine(o.destination)}, `;
  const tail: Row[] = [
    where === undefined
      ? { segments: [seg(total, undefined, true), seg(` · ${free}`, tooBig ? 'error' : 'muted')] }
      : { segments: [seg(total, undefined, true)] },
    ...(where === undefined
      ? []
      : [{ segments: [seg(truncate(where, Math.max(1, width - displayWidth(free))), 'muted'), seg(free, tooBig ? 'error' : 'muted')] }]),
    ...(tooBig ? [{ segments: [seg('⚠ Not enough free space: accepting will fail.', 'error', true)] }] : []),
  ];
  const listHeight = Math.max(1, height - head.length - tail.length);
  const files = o.files;
  const needsScroll = files.length > listHeight;
  const slots = needsScroll ? listHeight - 1 : listHeight;
  const start = Math.max(0, Math.min(scroll, files.length - slots));
  const list: Row[] = [];
  for (const f of files.slice(start, start + slots)) {
    const size = formatBytes(f.size);
    const name = truncate(safeLine(f.path), Math.max(1, width - 4 - displayWidth(size)));
    const gap = ' '.repeat(Math.max(1, width - 2 - displayWidth(name) - displayWidth(size)));
    list.push({ segments: [seg('  '), seg(name), seg(gap), seg(size, 'muted')] });
  }
  if (needsScroll) {
    const below = files.length - start - slots;
    list.push({ segments: [seg(`  ${start > 0 ? `↑ ${start} above  ` : ''}${below > 0 ? `↓ ${below} more` : ''}  (↑↓ scroll)`, 'muted')] });
  }
  return { rows: [...head, ...list, ...tail], yes: 'accept', no: 'deny', esc: 'later' };
}

export function confirmTitle(d: Confirm): string {
  if (d.kind === 'confirm-quit') return d.stopEngine ? 'Stop the engine?' : 'Quit peerdeck?';
  return 'Cancel transfer?';
}

export function confirmBody(d: Confirm, width: number): DialogBody {
  if (d.kind === 'confirm-quit' && d.stopEngine) return stopEngineBody(d.running, d.stopEngine.peers);
  if (d.kind === 'confirm-quit') {
    const n = d.running;
    return {
      rows: [
        { segments: [seg(`${n} transfer${n === 1 ? ' is' : 's are'} still running.`, 'warn', true)] },
        { segments: [seg('Quitting stops them now; they resume from where they were next time.')] },
        blank,
        { segments: [seg('Queued items stay in the outbox either way.', 'muted')] },
      ],
      yes: 'quit',
      no: 'stay',
    };
  }
  const t = d.transfer;
  const dir = t.direction === 'send' ? 'to' : 'from';
  return {
    rows: [
      { segments: [seg(truncate(`${t.direction === 'send' ? 'Sending' : 'Receiving'} ${safeLine(t.label)}`, width), undefined, true)] },
      { segments: [seg(`${dir} ${who(t.peerName, shortId(t.peerId), width - 5)}`)] },
      {
        segments: [
          seg(`${percent(t.bytesDone, t.bytesTotal)}% done, ${formatBytes(t.bytesDone)} of ${formatBytes(t.bytesTotal)}`, 'muted'),
        ],
      },
      blank,
      { segments: [seg('The other side is told; partial data is discarded.')] },
    ],
    yes: 'cancel it',
    no: 'keep going',
  };
}

/** Quitting a dashboard attached to a running engine stops that engine for everyone. */
function stopEngineBody(running: number, peers: number): DialogBody {
  const busy = [
    running > 0 ? `${running} transfer${running === 1 ? '' : 's'} running` : '',
    peers > 0 ? `${peers} peer${peers === 1 ? '' : 's'} connected` : '',
  ].filter(Boolean);
  return {
    rows: [
      { segments: [seg(`${busy.join(', ')}.`, 'warn', true)] },
      { segments: [seg('Quitting stops the engine for every attached dashboard.')] },
      blank,
      { segments: [seg('d detaches instead: the engine keeps running.', 'muted')] },
    ],
    yes: 'stop engine',
    no: 'stay',
  };
}
