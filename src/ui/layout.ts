/**
 * Where everything goes: a pure function of terminal size, focus and mode to
 * the rectangles of the header, the three panes, the chat input, the notice
 * line, the status bar and an optional overlay (help, dialog, send input).
 * The frame always fills exactly `rows` × `columns`; see frame-painter.ts for
 * why the full height is safe here.
 */

export type PaneId = 'peers' | 'transfers' | 'chat';
export const PANES: readonly PaneId[] = ['peers', 'transfers', 'chat'];

export type LayoutMode = 'normal' | 'chat' | 'send' | 'help' | 'dialog';

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface LayoutInput {
  readonly columns: number;
  readonly rows: number;
  readonly focus: PaneId;
  readonly mode: LayoutMode;
}

export interface FitLayout {
  readonly fits: true;
  readonly columns: number;
  readonly rows: number;
  readonly focus: PaneId;
  readonly header: Rect;
  readonly peers: Rect;
  readonly transfers: Rect;
  readonly chat: Rect;
  /** Inside the chat pane: the message log … */
  readonly chatLog: Rect;
  /** … and the input line under it. */
  readonly chatInput: Rect;
  readonly notice: Rect;
  readonly status: Rect;
  /** Help, dialog or send input, drawn over the panes. */
  readonly overlay?: Rect;
}

export interface TooSmallLayout {
  readonly fits: false;
  readonly columns: number;
  readonly rows: number;
  readonly minColumns: number;
  readonly minRows: number;
  readonly message: string;
}

export type Layout = FitLayout | TooSmallLayout;

/** Below this the panes cannot show one peer and one transfer legibly. */
export const MIN_COLUMNS = 60;
export const MIN_ROWS = 16;
/** Peers pane width: a share of the columns, clamped so names stay readable and transfers keep room. */
const PEERS_SHARE = 0.36;
const PEERS_MIN = 26;
const PEERS_MAX = 48;
/** Transfers get this share of the right column; the chat the rest. */
const TRANSFERS_SHARE = 0.45;
/** A bordered pane needs two border rows plus at least two content rows. */
const PANE_MIN_HEIGHT = 4;
/** Dialogs never grow past this, so they read as dialogs on big terminals. */
const DIALOG_MAX_WIDTH = 72;
const DIALOG_MAX_HEIGHT = 20;
const HELP_MAX_WIDTH = 110;
/** Send input: border, path line, message line, candidates line, border. */
const SEND_HEIGHT = 5;

function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, v));
}

function centered(area: Rect, width: number, height: number): Rect {
  return {
    x: area.x + Math.floor((area.width - width) / 2),
    y: area.y + Math.floor((area.height - height) / 2),
    width,
    height,
  };
}

export function computeLayout({ columns, rows, focus, mode }: LayoutInput): Layout {
  const cols = Math.max(0, Math.floor(columns));
  const rws = Math.max(0, Math.floor(rows));
  if (cols < MIN_COLUMNS || rws < MIN_ROWS) {
    return {
      fits: false,
      columns: cols,
      rows: rws,
      minColumns: MIN_COLUMNS,
      minRows: MIN_ROWS,
      message: `terminal too small: need ≥ ${MIN_COLUMNS}x${MIN_ROWS}, have ${cols}x${rws}`,
    };
  }

  const header: Rect = { x: 0, y: 0, width: cols, height: 1 };
  const status: Rect = { x: 0, y: rws - 1, width: cols, height: 1 };
  const notice: Rect = { x: 0, y: rws - 2, width: cols, height: 1 };
  const body: Rect = { x: 0, y: 1, width: cols, height: rws - 3 };

  const peersWidth = clamp(Math.round(cols * PEERS_SHARE), PEERS_MIN, PEERS_MAX);
  const peers: Rect = { x: 0, y: body.y, width: peersWidth, height: body.height };
  const rightX = peersWidth;
  const rightWidth = cols - peersWidth;
  const transfersHeight = clamp(Math.round(body.height * TRANSFERS_SHARE), PANE_MIN_HEIGHT, body.height - PANE_MIN_HEIGHT - 1);
  const transfers: Rect = { x: rightX, y: body.y, width: rightWidth, height: transfersHeight };
  const chat: Rect = { x: rightX, y: body.y + transfersHeight, width: rightWidth, height: body.height - transfersHeight };
  const chatLog: Rect = { x: chat.x + 1, y: chat.y + 1, width: chat.width - 2, height: chat.height - 3 };
  const chatInput: Rect = { x: chat.x + 1, y: chat.y + chat.height - 2, width: chat.width - 2, height: 1 };

  let overlay: Rect | undefined;
  if (mode === 'help') {
    overlay = centered(body, Math.min(cols, HELP_MAX_WIDTH), body.height);
  } else if (mode === 'dialog') {
    overlay = centered(body, Math.min(cols - 4, DIALOG_MAX_WIDTH), Math.min(body.height, DIALOG_MAX_HEIGHT));
  } else if (mode === 'send') {
    overlay = { x: 0, y: body.y + body.height - SEND_HEIGHT, width: cols, height: SEND_HEIGHT };
  }

  return {
    fits: true,
    columns: cols,
    rows: rws,
    focus,
    header,
    peers,
    transfers,
    chat,
    chatLog,
    chatInput,
    notice,
    status,
    ...(overlay ? { overlay } : {}),
  };
}
