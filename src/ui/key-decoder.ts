/**
 * Raw terminal input → a sequence of key presses, pure. Over SSH and tmux
 * several keys arrive in one read ("hello wor\x7f\x7frld"), and an escape
 * sequence can be split across two reads; every key is decoded, in order, and
 * an incomplete sequence is kept until the next chunk (or `flush`).
 *
 * Bracketed paste (`ESC[200~ … ESC[201~`, enabled in terminal-session.ts)
 * becomes one `{ paste }` press, whatever it contains; its control characters
 * are the line editor's business (line-editor.ts strips them).
 *
 * Why our own: Ink 6's useInput hands a multi-key chunk to the handler as one
 * `input` string, and ink-text-input inserts it as text, Backspaces and all.
 */
import type { KeyName, KeyPress } from './keymap.js';

const ESC = '\x1b';
export const PASTE_START = '\x1b[200~';
export const PASTE_END = '\x1b[201~';
/** A paste that never ends (a terminal bug) must not swallow input forever. */
export const MAX_PASTE_CHARS = 1 << 20;

const C0: Readonly<Record<string, KeyName>> = {
  '\r': 'enter',
  '\n': 'enter',
  '\t': 'tab',
  '\x7f': 'backspace',
  '\x08': 'backspace',
  '\x03': 'ctrl-c',
  '\x01': 'ctrl-a',
  '\x05': 'ctrl-e',
  '\x15': 'ctrl-u',
  '\x17': 'ctrl-w',
};

/** CSI / SS3 final byte → key (parameters such as modifiers are ignored). */
const FINAL: Readonly<Record<string, KeyName>> = {
  A: 'up',
  B: 'down',
  C: 'right',
  D: 'left',
  H: 'home',
  F: 'end',
  Z: 'shift-tab',
};

/** `CSI n ~` → key. */
const TILDE: Readonly<Record<string, KeyName>> = {
  '1': 'home',
  '7': 'home',
  '4': 'end',
  '8': 'end',
  '3': 'delete',
};

export interface KeyDecoder {
  /** Decode a chunk; an incomplete escape sequence at its end is kept for the next one. */
  push(chunk: string): KeyPress[];
  /**
   * The input went quiet: a kept lone ESC is the Escape key, a kept partial
   * sequence is an unknown key. Inside a paste nothing is flushed.
   */
  flush(): KeyPress[];
  /** Something is kept (an escape prefix, or an unfinished paste). */
  readonly pending: boolean;
}

type Parsed = { press: KeyPress | 'paste-start'; next: number } | 'incomplete';

/** One escape sequence at `i` (input[i] === ESC). */
function parseEscape(s: string, i: number): Parsed {
  const kind = s[i + 1];
  if (kind === undefined) return 'incomplete';
  if (kind === '[') {
    let j = i + 2;
    while (j < s.length) {
      const c = s.charCodeAt(j);
      if (c >= 0x40 && c <= 0x7e) {
        const params = s.slice(i + 2, j);
        const final = s[j] ?? '';
        const next = j + 1;
        if (final === '~') {
          if (params === '200') return { press: 'paste-start', next };
          const name = TILDE[params.split(';')[0] ?? ''];
          return { press: name ? { name } : { other: true }, next };
        }
        const name = FINAL[final];
        return { press: name ? { name } : { other: true }, next };
      }
      if (c < 0x20 || c > 0x3f) return { press: { other: true }, next: j };
      j++;
    }
    return 'incomplete';
  }
  if (kind === 'O') {
    const final = s[i + 2];
    if (final === undefined) return 'incomplete';
    const name = FINAL[final];
    return { press: name ? { name } : { other: true }, next: i + 3 };
  }
  // ESC ESC: the first is Escape; the second starts whatever follows.
  if (kind === ESC) return { press: { name: 'escape' }, next: i + 1 };
  // ESC + anything else: Alt/Meta + key, which nothing binds.
  const cp = s.codePointAt(i + 1) ?? 0;
  return { press: { other: true }, next: i + 1 + (cp > 0xffff ? 2 : 1) };
}

/** Longest suffix of `s` that is a proper prefix of `marker`. */
function markerPrefixAtEnd(s: string, marker: string): number {
  for (let n = Math.min(marker.length - 1, s.length); n > 0; n--) {
    if (s.endsWith(marker.slice(0, n))) return n;
  }
  return 0;
}

export function createKeyDecoder(): KeyDecoder {
  let kept = '';
  let paste: string | undefined;

  const decode = (s: string, out: KeyPress[]): void => {
    let i = 0;
    while (i < s.length) {
      if (paste !== undefined) {
        const end = s.indexOf(PASTE_END, i);
        if (end >= 0) {
          paste += s.slice(i, end);
          out.push({ paste });
          paste = undefined;
          i = end + PASTE_END.length;
          continue;
        }
        const keep = markerPrefixAtEnd(s, PASTE_END);
        paste += s.slice(i, s.length - keep);
        kept = s.slice(s.length - keep);
        if (paste.length > MAX_PASTE_CHARS) {
          out.push({ paste: paste.slice(0, MAX_PASTE_CHARS) });
          paste = undefined;
        }
        return;
      }
      const ch = s[i] ?? '';
      if (ch === ESC) {
        const p = parseEscape(s, i);
        if (p === 'incomplete') {
          kept = s.slice(i);
          return;
        }
        i = p.next;
        if (p.press === 'paste-start') paste = '';
        else out.push(p.press);
        continue;
      }
      const named = C0[ch];
      if (named) {
        out.push({ name: named });
        // CR LF is one Enter.
        i += ch === '\r' && s[i + 1] === '\n' ? 2 : 1;
        continue;
      }
      const cp = s.codePointAt(i) ?? 0;
      const len = cp > 0xffff ? 2 : 1;
      // Other C0 and C1 controls are keys nothing binds; they never become text.
      out.push(cp < 0x20 || (cp >= 0x80 && cp <= 0x9f) ? { other: true } : { char: s.slice(i, i + len) });
      i += len;
    }
  };

  return {
    push(chunk) {
      const out: KeyPress[] = [];
      const s = kept + chunk;
      kept = '';
      decode(s, out);
      return out;
    },
    flush() {
      if (paste !== undefined || kept === '') return [];
      const k = kept;
      kept = '';
      return [k === ESC ? { name: 'escape' } : { other: true }];
    },
    get pending() {
      return kept !== '' || paste !== undefined;
    },
  };
}
