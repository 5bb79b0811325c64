/**
 * Shown instead of the dashboard when the engine it was attached to went
 * away: says so (and why), and offers to start it again or quit (keys from
 * the keymap), rather than freezing on the last picture.
 */
import { Box, Text } from 'ink';
import type { LinkState } from '../../core/engine-api.js';
import { statusBindings } from '../keymap.js';
import { safeLine } from '../safe.js';
import { wrap } from '../text.js';

export function EngineLost({ columns, rows, link, reason, canRestart }: {
  columns: number;
  rows: number;
  link: LinkState;
  reason?: string | undefined;
  canRestart: boolean;
}) {
  const width = Math.max(1, columns);
  const keys = statusBindings('engine-lost')
    .filter((b) => canRestart || b.command !== 'startEngine')
    .map((b) => `${b.statusKey ?? b.label} ${b.status ?? ''}`)
    .join(' · ');
  const lines =
    link === 'starting'
      ? ['Starting the engine…']
      : [
          'The engine stopped.',
          ...(reason ? wrap(safeLine(reason), width) : []),
          '',
          'This dashboard shows what it last saw; transfers and chat need a running engine.',
          keys,
        ];
  const shown = lines.flatMap((l) => (l === '' ? [''] : wrap(l, width)));
  return (
    <Box flexDirection="column" width={width} height={Math.max(1, rows)} overflow="hidden">
      {shown.slice(0, Math.max(1, rows)).map((l, i) => (
        <Text key={i} bold={i === 0}>
          {l}
        </Text>
      ))}
    </Box>
  );
}
