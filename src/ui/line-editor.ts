/**
 * One line of editable text with a cursor, pure: the chat and send inputs.
 * The cursor is a UTF-16 index that always sits on a code point boundary.
 * Inserted text never keeps a control character: line breaks and tabs become
 * spaces (a trailing line break of a paste is dropped), everything else that
 * could move the cursor or restyle a terminal is removed.
 */
import { clusters, displayWidth } from './text.js';

export interface LineState {
  readonly text: string;
  readonly cursor: number;
}

export const EMPTY_LINE: LineState = { text: '', cursor: 0 };

export type LineEdit =
  | { readonly type: 'insert'; readonly text: string }
  | { readonly type: 'left' }
  | { readonly type: 'right' }
  | { readonly type: 'home' }
  | { readonly type: 'end' }
  | { readonly type: 'backspace' }
  | { readonly type: 'delete' }
  | { readonly type: 'deleteWord' }
  | { readonly type: 'clear' };

/** C0, DEL, C1, bidi overrides and isolates (Trojan Source). */
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

/** Text as it may enter a line: no control characters. */
export function cleanInsert(text: string): string {
  return text
    .replace(/(\r\n|\r|\n)+$/, '')
    .replace(/\r\n|[\r\n\t]/g, ' ')
    .replace(UNSAFE, '');
}

export function lineAtEnd(text: string): LineState {
  return { text, cursor: text.length };
}

function prevBoundary(s: string, i: number): number {
  if (i <= 0) return 0;
  const c = s.charCodeAt(i - 1);
  return c >= 0xdc00 && c <= 0xdfff && i >= 2 ? i - 2 : i - 1;
}

function nextBoundary(s: string, i: number): number {
  if (i >= s.length) return s.length;
  const c = s.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? i + 2 : i + 1;
}

/** Start of the word before the cursor (spaces first, then non-spaces), as readline's Ctrl-W. */
function wordStart(s: string, i: number): number {
  let j = i;
  while (j > 0 && s[j - 1] === ' ') j--;
  while (j > 0 && s[j - 1] !== ' ') j--;
  return j;
}

export function applyEdit(line: LineState, edit: LineEdit, maxLength = Infinity): LineState {
  const { text, cursor } = line;
  switch (edit.type) {
    case 'insert': {
      const room = Math.max(0, maxLength - text.length);
      let add = cleanInsert(edit.text);
      if (add.length > room) {
        add = add.slice(0, room);
        const last = add.charCodeAt(add.length - 1);
        if (last >= 0xd800 && last <= 0xdbff) add = add.slice(0, -1);
      }
      if (add === '') return line;
      return { text: text.slice(0, cursor) + add + text.slice(cursor), cursor: cursor + add.length };
    }
    case 'left':
      return { text, cursor: prevBoundary(text, cursor) };
    case 'right':
      return { text, cursor: nextBoundary(text, cursor) };
    case 'home':
      return { text, cursor: 0 };
    case 'end':
      return { text, cursor: text.length };
    case 'backspace': {
      if (cursor === 0) return line;
      const at = prevBoundary(text, cursor);
      return { text: text.slice(0, at) + text.slice(cursor), cursor: at };
    }
    case 'delete':
      if (cursor >= text.length) return line;
      return { text: text.slice(0, cursor) + text.slice(nextBoundary(text, cursor)), cursor };
    case 'deleteWord': {
      const at = wordStart(text, cursor);
      return { text: text.slice(0, at) + text.slice(cursor), cursor: at };
    }
    case 'clear':
      return EMPTY_LINE;
  }
}

export interface LineWindow {
  /** Visible text before the cursor. */
  readonly before: string;
  /** The character under the cursor, or '' at the end of the line. */
  readonly at: string;
  /** Visible text after it. */
  readonly after: string;
}

/**
 * The part of the line to show in `width` columns so the cursor is always
 * visible: a long line scrolls horizontally instead of being cut off.
 * The cursor cell counts one column even at the end of the line.
 */
export function lineWindow(line: LineState, width: number): LineWindow {
  const w = Math.max(1, width);
  const head = [...clusters(line.text.slice(0, line.cursor))];
  const tail = [...clusters(line.text.slice(line.cursor))];
  const at = tail.shift() ?? '';
  const atWidth = at === '' ? 1 : Math.max(1, displayWidth(at));
  // Keep as much before the cursor as fits (the cursor near the right edge when scrolled).
  let used = atWidth;
  let from = head.length;
  while (from > 0) {
    const cw = displayWidth(head[from - 1] ?? '');
    if (used + cw > w) break;
    used += cw;
    from--;
  }
  const before = head.slice(from).join('');
  let after = '';
  for (const c of tail) {
    const cw = displayWidth(c);
    if (used + cw > w) break;
    used += cw;
    after += c;
  }
  return { before, at, after };
}
