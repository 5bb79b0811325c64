/**
 * Transient notices (engine: "peer left", "certificate changed", errors; and
 * our own) on one line, most severe and newest first, each with a level glyph and word. They
 * clear themselves NOTICE_TTL_MS after they appeared, on the injected clock.
 */
import { useEffect, useState } from 'react';
import { Text } from 'ink';
import type { Notice, NoticeLevel } from '../../core/engine-api.js';
import { NOTICE_TTL_MS, type LocalNotice } from '../ui-state.js';
import { safeLine } from '../safe.js';
import { selectNotices, useDashboardEnv, useEngine } from '../use-engine.js';
import { type Tone, truncate } from '../text.js';
import { useTheme } from '../theme.js';

export const NOTICE_LEVEL: Record<NoticeLevel, { readonly glyph: string; readonly word: string; readonly tone: Tone }> = {
  info: { glyph: 'ℹ', word: 'info', tone: 'accent' },
  warn: { glyph: '⚠', word: 'warning', tone: 'warn' },
  error: { glyph: '✗', word: 'error', tone: 'error' },
};

type AnyNotice = Pick<Notice, 'level' | 'text' | 'at'> & { key: string; local: boolean };

/** Live notices: errors, then warnings, then information; newest first within a level. Engine text is peer-influenced, so it is neutralised; ours is made from safe parts. */
export function liveNotices(engine: readonly Notice[], local: readonly LocalNotice[], now: number): AnyNotice[] {
  const all: AnyNotice[] = [
    ...engine.map((n) => ({ key: `e${n.id}`, level: n.level, text: n.text, at: n.at, local: false })),
    ...local.map((n) => ({ key: n.id, level: n.level, text: n.text, at: n.at, local: true })),
  ];
  const rank: Record<NoticeLevel, number> = { error: 2, warn: 1, info: 0 };
  return all
    .map((n, i) => ({ n, i }))
    .filter(({ n }) => now - n.at < NOTICE_TTL_MS && now >= n.at - NOTICE_TTL_MS)
    .sort((a, b) => rank[b.n.level] - rank[a.n.level] || b.n.at - a.n.at || b.i - a.i)
    .map(({ n }) => n);
}

export function NoticeLine({ width, local }: { width: number; local: readonly LocalNotice[] }) {
  const theme = useTheme();
  const { clock } = useDashboardEnv();
  const engineNotices = useEngine(selectNotices);
  const [, setTick] = useState(0);
  const now = clock.now();
  const live = liveNotices(engineNotices, local, now);
  const nextExpiry = live.reduce((m, n) => Math.min(m, n.at + NOTICE_TTL_MS), Infinity);
  useEffect(() => {
    if (!Number.isFinite(nextExpiry)) return;
    const h = clock.setTimeout(() => setTick((t) => t + 1), Math.max(1, nextExpiry - clock.now()));
    return () => clock.clearTimeout(h);
  }, [clock, nextExpiry]);
  const first = live[0];
  if (!first) return <Text> </Text>;
  const lvl = NOTICE_LEVEL[first.level];
  const more = live.length > 1 ? `  (+${live.length - 1} more)` : '';
  const text = `${lvl.glyph} ${lvl.word}: ${safeLine(first.text)}`;
  return (
    <Text wrap="truncate-end">
      <Text color={theme.tone(lvl.tone)} bold={first.level !== 'info'}>
        {truncate(text, Math.max(1, width - more.length))}
      </Text>
      <Text color={theme.tone('muted')}>{more}</Text>
    </Text>
  );
}
