/**
 * Neutralise peer-supplied text before it reaches a terminal (reliability.md
 * §0.2, T1–T3): names, chat, file names, reasons, anything a peer chose.
 *
 * - C0 controls (ESC, CR, LF, TAB, BEL, ...) become their visible control
 *   pictures (U+2400 block: ␛ ␍ ␊ ␉ ␇), DEL becomes ␡; so `ESC[2J` shows as `␛[2J`.
 * - C1 controls (U+0080–U+009F, incl. the 8-bit CSI 0x9B) become U+FFFD.
 * - Bidi overrides, embeddings, isolates and marks, zero-width and other
 *   invisible format characters (soft hyphen, invisible operators, Unicode tags,
 *   interlinear annotation marks) are removed.
 * - Line and paragraph separators (U+2028/2029) become ␤; lone surrogates U+FFFD.
 */

/** Characters JSON.stringify leaves raw that a terminal (or a reader) must not get raw: DEL, C1, invisible format characters. */
const RAW_IN_JSON = String.raw`[\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]|[\u{e0000}-\u{e007f}]`;
/** Everything toTerminalSafe rewrites: the above plus C0 controls (CR LF as a pair) and lone surrogates. */
const UNSAFE_SOURCE = String.raw`\r\n|[\x00-\x1f]|\p{Cs}|${RAW_IN_JSON}`;

const INERT_IN_JSON = new RegExp(RAW_IN_JSON, 'gu');
const UNSAFE = new RegExp(UNSAFE_SOURCE, 'gu');
const HAS_UNSAFE = new RegExp(UNSAFE_SOURCE, 'u');

const REPLACEMENT = '\ufffd';
const ELLIPSIS = '…';

export interface TerminalSafeOptions {
  /** Keep `\n` (and turn `\r\n` into `\n`) for multi-line text such as chat. Default false. */
  readonly keepNewlines?: boolean;
  /** Cap the result at this many code points, the last being `…` when cut. Not a column count. */
  readonly maxLength?: number;
}

function replaceOne(ch: string, keepNewlines: boolean): string {
  if (ch === '\r\n') return keepNewlines ? '\n' : '\u240d\u240a';
  const cp = ch.codePointAt(0)!;
  if (cp <= 0x1f) return keepNewlines && cp === 0x0a ? '\n' : String.fromCharCode(0x2400 + cp);
  if (cp === 0x7f) return '\u2421';
  if (cp <= 0x9f) return REPLACEMENT;
  if (cp >= 0xd800 && cp <= 0xdfff) return REPLACEMENT;
  if (cp === 0x2028 || cp === 0x2029) return '\u2424';
  return ''; // bidi, zero-width and other invisible format characters
}

function truncate(s: string, max: number): string {
  if (s.length <= max) return s; // code points ≤ code units
  const points: string[] = [];
  for (const ch of s) {
    points.push(ch);
    if (points.length > max) return max === 0 ? '' : `${points.slice(0, max - 1).join('')}${ELLIPSIS}`;
  }
  return s;
}

/** A version of `s` that is inert in a terminal. Pure; safe on any string, including invalid UTF-16. */
export function toTerminalSafe(s: string, opts: TerminalSafeOptions = {}): string {
  const keepNewlines = opts.keepNewlines ?? false;
  const safe = HAS_UNSAFE.test(s) ? s.replace(UNSAFE, (ch) => replaceOne(ch, keepNewlines)) : s;
  return opts.maxLength === undefined ? safe : truncate(safe, Math.max(0, Math.floor(opts.maxLength)));
}

function escapeUnit(ch: string): string {
  let out = '';
  for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}

/**
 * JSON.stringify, with every character that could act on a terminal written as
 * a `\uXXXX` escape. JSON.parse gives back exactly `value`; the text is inert.
 * (Outside strings JSON is plain ASCII, so escaping the whole text is escaping the strings.)
 * A top-level value JSON cannot express (undefined, a function) gives `null`.
 */
export function toJsonSafe(value: unknown): string {
  const json = JSON.stringify(value) as string | undefined;
  if (json === undefined) return 'null';
  return json.replace(INERT_IN_JSON, escapeUnit);
}
