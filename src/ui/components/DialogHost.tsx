/**
 * Shows the dialog in front of the queue (see dialogs.ts) with its position
 * in the queue. Every dialog keeps its answer keys on the last line, an
 * app-owned region no peer text can reach or push off screen (T4, T5).
 */
import { Text } from 'ink';
import type { Dialog } from '../dialogs.js';
import type { Rect } from '../layout.js';
import { binding } from '../keymap.js';
import { type Row, seg } from '../text.js';
import { useDashboardEnv } from '../use-engine.js';
import { useNow } from '../use-now.js';
import { Overlay } from './Overlay.js';
import { RowLine } from './Rows.js';
import { confirmBody, confirmTitle, offerBody, offerTitle, pairingBody, pairingTitle } from '../dialog-views.js';

export interface DialogView {
  readonly title: string;
  readonly rows: readonly Row[];
  /** What y and n do here, e.g. ["accept", "deny"]; undefined hides y. */
  readonly yes?: string;
  readonly no: string;
  /** What Esc does when it is not the same as n (an offer: put aside for later). */
  readonly esc?: string;
}

export function dialogView(d: Dialog, width: number, height: number, scroll: number, now?: number): DialogView {
  switch (d.kind) {
    case 'pairing':
      return { title: pairingTitle(d), ...pairingBody(d, width, now) };
    case 'offer':
      return { title: offerTitle(d), ...offerBody(d, width, height, scroll) };
    case 'confirm-quit':
    case 'confirm-cancel':
      return { title: confirmTitle(d), ...confirmBody(d, width) };
  }
}

export function answerLine(view: Pick<DialogView, 'yes' | 'no' | 'esc'>): Row {
  const y = binding('yes').label;
  const n = binding('no').label;
  const esc = binding('close').label;
  return {
    segments: [
      ...(view.yes ? [seg(y, 'key', true), seg(` ${view.yes}    `)] : []),
      seg(n, 'key', true),
      ...(view.esc
        ? [seg(` ${view.no}    `), seg(esc, 'key', true), seg(` ${view.esc}`)]
        : [seg(` / `), seg(esc, 'key', true), seg(` ${view.no}`)]),
    ],
  };
}

const COUNTDOWN_TICK_MS = 1000;

/** Borders, the blank line and the answer line around a dialog's body. */
const CHROME_ROWS = 4;

/**
 * The dialog's own rectangle: as tall as its content (never taller than the
 * room the layout gives), centred in that room.
 */
export function dialogRect(room: Rect, bodyRows: number): Rect {
  const height = Math.min(room.height, bodyRows + CHROME_ROWS);
  return { ...room, y: room.y + Math.floor((room.height - height) / 2), height };
}

export function DialogHost({ dialogs, rect: room, scroll }: { dialogs: readonly Dialog[]; rect: Rect; scroll: number }) {
  const { clock } = useDashboardEnv();
  const front = dialogs[0];
  // The pairing countdown ticks once a second, only while one is in front.
  const counting = front?.kind === 'pairing' && front.pairing.expiresAt !== undefined;
  const now = useNow(clock, COUNTDOWN_TICK_MS, 'mono', counting);
  if (!front) return null;
  const inner = room.width - 2;
  const maxBody = room.height - CHROME_ROWS;
  const view = dialogView(front, inner, maxBody, scroll, now);
  const bodyHeight = Math.min(maxBody, view.rows.length);
  const rect = dialogRect(room, bodyHeight);
  const queue = dialogs.length > 1 ? ` (1 of ${dialogs.length})` : '';
  const answer = answerLine(view);
  return (
    <Overlay
      rect={rect}
      gutter
      title={`${view.title}${queue}`}
      footer={
        <>
          <Text> </Text>
          <RowLine row={answer} width={inner} />
        </>
      }
    >
      {view.rows.slice(0, bodyHeight).map((r, i) => (
        <RowLine key={i} row={r} width={inner} />
      ))}
    </Overlay>
  );
}
