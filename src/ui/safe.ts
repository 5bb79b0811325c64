/**
 * The one door through which peer-supplied text (names, chat, file names,
 * addresses, error text, notices) reaches the screen. Everything taken from an
 * EngineSnapshot goes through `safeLine` or `safeText` before it is laid out.
 */
import { toTerminalSafe } from '../protocol/terminal-safe.js';

/** Longest peer name we lay out (reliability D2: ≤ 64 columns). */
export const MAX_NAME_CHARS = 64;
/** Longest chat message we lay out; the rest is cut (T4: 10⁵ characters). */
export const MAX_CHAT_CHARS = 4000;
/** Longest single-line string of any other kind (file names, errors, notices). */
export const MAX_LINE_CHARS = 512;

/** One line of peer text: control characters neutralised, newlines included. */
export function safeLine(s: string | undefined, maxLength = MAX_LINE_CHARS): string {
  if (s === undefined) return '';
  return toTerminalSafe(s, { maxLength });
}

/** A peer's name: one line, at most MAX_NAME_CHARS. */
export function safeName(s: string | undefined): string {
  const t = safeLine(s, MAX_NAME_CHARS);
  return t.trim() === '' ? '(no name)' : t;
}

/** Multi-line peer text (chat): newlines kept as line breaks, everything else neutralised. */
export function safeText(s: string | undefined, maxLength = MAX_CHAT_CHARS): string {
  if (s === undefined) return '';
  return toTerminalSafe(s, { keepNewlines: true, maxLength });
}
