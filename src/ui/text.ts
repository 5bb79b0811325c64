/**
 * Display-width arithmetic for terminal cells: width of a string, truncation
 * with an ellipsis, word wrapping, and styled segments that are fitted to a
 * width as a whole. Strings here are already terminal-safe (see safe.ts).
 */

const MARK = /^\p{M}$/u;

/** Joins the previous character: combining marks, ZWJ, variation selectors, skin tones, tag characters. */
function extendsCluster(ch: string, cp: number): boolean {
  return (
    cp === 0x200d ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    (cp >= 0x1f3fb && cp <= 0x1f3ff) ||
    (cp >= 0xe0020 && cp <= 0xe007f) ||
    MARK.test(ch)
  );
}

/**
 * User-perceived characters, approximately (base + combining marks, ZWJ
 * sequences, variation selectors, skin tones, flag pairs). Linear time:
 * V8's Intl.Segmenter takes seconds on a 10⁵-character string.
 */
export function* clusters(s: string): Generator<string> {
  let cur = '';
  let afterZwj = false;
  let openFlag = false;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    const ri = cp >= 0x1f1e6 && cp <= 0x1f1ff;
    const join: boolean = cur !== '' && (afterZwj || extendsCluster(ch, cp) || (ri && openFlag));
    if (join) cur += ch;
    else {
      if (cur) yield cur;
      cur = ch;
    }
    openFlag = ri && !(join && openFlag);
    afterZwj = cp === 0x200d;
  }
  if (cur) yield cur;
}

/** East Asian Wide / Fullwidth ranges (the common blocks; close to string-width). */
const WIDE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f000, 0x1faff],
  [0x20000, 0x3fffd],
];

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]+$/u;

function graphemeWidth(g: string): number {
  const cp = g.codePointAt(0) ?? 0;
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if (ZERO_WIDTH.test(g)) return 0;
  if (g.includes('\ufe0f')) return 2; // emoji presentation selector
  for (const [lo, hi] of WIDE_RANGES) if (cp >= lo && cp <= hi) return 2;
  return 1;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/** Terminal columns a string takes. */
export function displayWidth(s: string): number {
  if (isAscii(s)) return s.length;
  let w = 0;
  for (const c of clusters(s)) w += graphemeWidth(c);
  return w;
}

/** Cut to at most `width` columns, ending with `…` when something was cut. */
export function truncate(s: string, width: number): string {
  if (width <= 0) return '';
  if (isAscii(s)) return s.length <= width ? s : `${s.slice(0, Math.max(0, width - 1))}…`;
  if (displayWidth(s) <= width) return s;
  let out = '';
  let w = 0;
  for (const c of clusters(s)) {
    const gw = graphemeWidth(c);
    if (w + gw > width - 1) break;
    out += c;
    w += gw;
  }
  return `${out}…`;
}

/** Pad with spaces on the right to exactly `width` columns (truncating first). */
export function padTo(s: string, width: number): string {
  const t = truncate(s, width);
  return t + ' '.repeat(Math.max(0, width - displayWidth(t)));
}

/** Right-align within `width` columns. */
export function padStartTo(s: string, width: number): string {
  const t = truncate(s, width);
  return ' '.repeat(Math.max(0, width - displayWidth(t))) + t;
}

/**
 * Word-wrap to `width` columns. Words longer than a line are broken. Returns
 * at most `maxRows` rows; when more would follow, the last row ends with `…`.
 */
export function wrap(s: string, width: number, maxRows = Infinity): string[] {
  if (width <= 0) return [];
  const rows: string[] = [];
  for (const paragraph of s.split('\n')) {
    let line = '';
    let lineW = 0;
    const words = paragraph.split(/(\s+)/).filter((w) => w !== '');
    for (const word of words) {
      if (rows.length > maxRows) break;
      const ww = displayWidth(word);
      if (/^\s+$/.test(word)) {
        if (lineW > 0 && lineW + ww <= width) {
          line += word;
          lineW += ww;
        }
        continue;
      }
      if (lineW + ww <= width) {
        line += word;
        lineW += ww;
        continue;
      }
      if (lineW > 0) {
        rows.push(line.trimEnd());
        line = '';
        lineW = 0;
      }
      if (ww <= width) {
        line = word;
        lineW = ww;
        continue;
      }
      for (const c of clusters(word)) {
        const gw = graphemeWidth(c);
        if (lineW + gw > width) {
          rows.push(line);
          line = '';
          lineW = 0;
          if (rows.length > maxRows) break;
        }
        line += c;
        lineW += gw;
      }
    }
    rows.push(line.trimEnd());
    if (rows.length > maxRows) break;
  }
  if (rows.length > maxRows) {
    const kept = rows.slice(0, maxRows);
    const last = kept[maxRows - 1] ?? '';
    kept[maxRows - 1] = displayWidth(last) < width ? `${last}…` : `${truncate(last, width - 1)}…`;
    return kept;
  }
  return rows;
}

/** Semantic tone of a piece of text; the theme turns it into a colour or nothing (NO_COLOR). */
export type Tone = 'normal' | 'ok' | 'warn' | 'error' | 'accent' | 'muted' | 'key';

export interface Segment {
  readonly text: string;
  readonly tone?: Tone;
  readonly bold?: boolean;
}

/** One display row made of styled segments. */
export interface Row {
  readonly segments: readonly Segment[];
  /** Drawn inverted (and with a `›` marker already in the text) when selected. */
  readonly selected?: boolean;
}

export function seg(text: string, tone?: Tone, bold?: boolean): Segment {
  return { text, ...(tone ? { tone } : {}), ...(bold ? { bold } : {}) };
}

export function rowText(row: Row): string {
  return row.segments.map((s) => s.text).join('');
}

/** Fit a row to `width` columns: later segments are cut first, the cut one ends with `…`. */
export function fitRow(row: Row, width: number): Row {
  const out: Segment[] = [];
  let left = width;
  for (const s of row.segments) {
    if (left <= 0) break;
    const w = displayWidth(s.text);
    if (w <= left) {
      out.push(s);
      left -= w;
    } else {
      out.push({ ...s, text: truncate(s.text, left) });
      left = 0;
    }
  }
  return { ...row, segments: out };
}

/**
 * Join parts (highest priority first) with a separator, leaving out parts that
 * do not fit. `skip`: a later, shorter part may still go in; `stop`: nothing
 * after the first part that did not fit (when the order must read as a whole).
 */
export function joinFitting(parts: readonly string[], width: number, sep = ' · ', mode: 'skip' | 'stop' = 'skip'): string {
  let out = '';
  for (const p of parts) {
    if (!p) continue;
    const next = out ? out + sep + p : p;
    if (displayWidth(next) > width) {
      if (!out) return truncate(p, width);
      if (mode === 'stop') break;
      continue;
    }
    out = next;
  }
  return out;
}
