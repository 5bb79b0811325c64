/**
 * Validation of relative paths a peer offers (reliability.md §3, N1–N9).
 *
 * A peer's path is a suggestion of where, *under the download folder*, to put a
 * file. The rules are portable: a path valid here is valid on Linux, macOS and
 * Windows, so one offer behaves the same wherever it lands. The separator is
 * `/`; a backslash, a drive letter or any name Windows would read specially is
 * refused rather than repaired, and the sender is told why (`reason`).
 */
import { ProtocolError } from './errors.js';
import { toJsonSafe } from './terminal-safe.js';

/** The receiver's private directory for unverified data; no offered path may produce a name starting with it. */
export const PARTIAL_DIR_NAME = '.peerdeck-partial';
/** Longest path component in UTF-8 bytes (NAME_MAX on Linux and macOS). */
export const MAX_COMPONENT_BYTES = 255;
/** Longest whole path in UTF-8 bytes (PATH_MAX on Linux). */
export const MAX_PATH_BYTES = 4096;
/** Deepest folder nesting accepted; deep enough for node_modules trees, shallow enough to bound the work. */
export const MAX_PATH_DEPTH = 64;

export type PathRejectReason =
  | 'empty'
  | 'too-long'
  | 'component-too-long'
  | 'too-deep'
  | 'invalid-unicode'
  | 'absolute'
  | 'drive-letter'
  | 'backslash'
  | 'empty-component'
  | 'dot-segment'
  | 'control-char'
  | 'bidi-char'
  | 'invisible-char'
  | 'lookalike-char'
  | 'forbidden-char'
  | 'reserved-name'
  | 'trailing-dot-or-space'
  | 'reserved-prefix'
  | 'duplicate'
  | 'case-collision'
  | 'file-dir-clash';

/** ERR_BAD_PATH with a machine-readable reason the sender can be shown. `path` is the offending input, raw. */
export class BadPathError extends ProtocolError {
  constructor(
    readonly reason: PathRejectReason,
    readonly path: string,
  ) {
    super('ERR_BAD_PATH', `bad path (${reason}): ${toJsonSafe(path.length > 120 ? `${path.slice(0, 120)}…` : path)}`);
  }
}

/** Ordered checks over the whole NFC path; the first match names the reason. */
const WHOLE_PATH_RULES: ReadonlyArray<readonly [RegExp, PathRejectReason]> = [
  [/[\x00-\x1f\x7f-\x9f]/, 'control-char'],
  [/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/, 'bidi-char'],
  // Invisible characters with no place in a file name (ZWNJ/ZWJ stay: Persian, Indic scripts, emoji).
  [/[\u00ad\u180e\u200b\u2028\u2029\u2060-\u2064\u206a-\u206f\ufeff\ufff9-\ufffb]|[\u{e0000}-\u{e007f}]/u, 'invisible-char'],
  [/\\/, 'backslash'],
  [/^\//, 'absolute'],
  [/^[A-Za-z]:/, 'drive-letter'],
  // Slash, dot and reserved-character look-alikes (fullwidth forms, division and fraction slashes),
  // which Windows "best fit" code pages can turn back into the real thing.
  [/[\u2024\u2044\u2215\u29f5\u29f8\u29f9\ufe68\uff02\uff0a\uff0e\uff0f\uff1a\uff1c\uff1e\uff1f\uff3c\uff5c]/, 'lookalike-char'],
  [/[<>:"|?*]/, 'forbidden-char'],
];

/** Windows device names, reserved in any case and with any extension (`nul.txt`, `COM1.tar.gz`, `CON .x`). */
const RESERVED_STEM = /^(?:CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³]|CONIN\$|CONOUT\$)$/;

const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

function componentProblem(c: string): PathRejectReason | undefined {
  if (c === '') return 'empty-component';
  if (c === '.' || c === '..') return 'dot-segment';
  if (utf8Bytes(c) > MAX_COMPONENT_BYTES) return 'component-too-long';
  if (c.endsWith('.') || c.endsWith(' ')) return 'trailing-dot-or-space';
  if (RESERVED_STEM.test(c.split('.')[0]!.trimEnd().toUpperCase())) return 'reserved-name';
  if (c.toLowerCase().startsWith(PARTIAL_DIR_NAME)) return 'reserved-prefix';
  return undefined;
}

/**
 * Check one peer-supplied relative path (`/`-separated) and return it in NFC.
 * Throws BadPathError (code ERR_BAD_PATH) with the first rule it breaks.
 */
export function validateRelativePath(raw: string): string {
  const fail = (reason: PathRejectReason): never => {
    throw new BadPathError(reason, raw);
  };
  if (raw.length === 0) fail('empty');
  if (raw.length > 4 * MAX_PATH_BYTES) fail('too-long'); // cheap bound before normalising huge input
  if (/\p{Cs}/u.test(raw)) fail('invalid-unicode');
  const path = raw.normalize('NFC');
  if (utf8Bytes(path) > MAX_PATH_BYTES) fail('too-long');
  for (const [rule, reason] of WHOLE_PATH_RULES) if (rule.test(path)) fail(reason);
  const components = path.split('/');
  if (components.length > MAX_PATH_DEPTH) fail('too-deep');
  for (const c of components) {
    const problem = componentProblem(c);
    if (problem) fail(problem);
  }
  return path;
}

export interface ValidatedPathSet {
  /** Files, NFC, in input order. */
  readonly files: string[];
  /** Folders, NFC, in input order. */
  readonly dirs: string[];
  /** Pairs that differ only by case: fine on Linux, a clash on case-insensitive file systems (macOS, Windows). */
  readonly caseCollisions: Array<readonly [string, string]>;
}

export interface PathSetOptions {
  /** Throw (reason 'case-collision') instead of reporting case-only collisions. */
  readonly rejectCaseCollisions?: boolean;
}

function* ancestors(path: string): Generator<string> {
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) yield path.slice(0, i);
}

const caseFold = (s: string): string => s.toUpperCase().toLowerCase().normalize('NFC');

/**
 * Validate every path of an offer, then the set: no two entries equal after NFC
 * (ERR_BAD_PATH 'duplicate'), no file where the set needs a folder (`a` and
 * `a/b`: 'file-dir-clash'). Case-only collisions are returned, or thrown when asked.
 */
export function validatePathSet(files: readonly string[], dirs: readonly string[], opts: PathSetOptions = {}): ValidatedPathSet {
  const nfcFiles = files.map(validateRelativePath);
  const nfcDirs = dirs.map(validateRelativePath);

  const entries = new Map<string, 'file' | 'dir'>();
  for (const [list, kind] of [[nfcFiles, 'file'], [nfcDirs, 'dir']] as const) {
    for (const p of list) {
      const prior = entries.get(p);
      if (prior) throw new BadPathError(prior === kind ? 'duplicate' : 'file-dir-clash', p);
      entries.set(p, kind);
    }
  }

  const folders = new Set(nfcDirs);
  for (const p of entries.keys()) for (const a of ancestors(p)) folders.add(a);
  for (const f of nfcFiles) if (folders.has(f)) throw new BadPathError('file-dir-clash', f);

  const byFold = new Map<string, string>();
  const caseCollisions: Array<readonly [string, string]> = [];
  for (const name of new Set([...nfcFiles, ...folders])) {
    const key = caseFold(name);
    const other = byFold.get(key);
    if (other === undefined) byFold.set(key, name);
    else {
      if (opts.rejectCaseCollisions) throw new BadPathError('case-collision', name);
      caseCollisions.push([other, name]);
    }
  }
  return { files: nfcFiles, dirs: nfcDirs, caseCollisions };
}
