/**
 * Semantic colours. With NO_COLOR (or a monochrome terminal) every tone maps
 * to no colour at all; state is always carried by glyphs and words too, so
 * nothing is lost.
 */
import { createContext, useContext } from 'react';
import type { Tone } from './text.js';

export interface Theme {
  readonly color: boolean;
  /** Ink colour name for a tone, or undefined for the terminal default. */
  tone(t: Tone | undefined): string | undefined;
}

const COLORS: Record<Tone, string | undefined> = {
  normal: undefined,
  ok: 'green',
  warn: 'yellow',
  error: 'red',
  accent: 'cyan',
  muted: 'gray',
  key: 'cyan',
};

export const colorTheme: Theme = { color: true, tone: (t) => (t ? COLORS[t] : undefined) };
export const monoTheme: Theme = { color: false, tone: () => undefined };

/** https://no-color.org: any non-empty NO_COLOR disables colour. TERM=dumb too. */
export function themeFromEnv(env: Readonly<Record<string, string | undefined>>): Theme {
  if ((env['NO_COLOR'] ?? '') !== '') return monoTheme;
  if (env['TERM'] === 'dumb') return monoTheme;
  return colorTheme;
}

export const ThemeContext = createContext<Theme>(colorTheme);

export function useTheme(): Theme {
  return useContext(ThemeContext);
}
