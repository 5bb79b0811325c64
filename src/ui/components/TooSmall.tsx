/** Shown instead of the dashboard when the terminal is below the minimum size. */
import { Box, Text } from 'ink';
import type { TooSmallLayout } from '../layout.js';
import { binding } from '../keymap.js';
import { wrap } from '../text.js';

export function TooSmall({ layout, askQuit = false }: { layout: TooSmallLayout; askQuit?: boolean }) {
  const width = Math.max(1, layout.columns);
  const hint = askQuit
    ? `Transfers are running. Quit anyway? ${binding('yes').label} quits, ${binding('no').label} stays.`
    : `Make the window larger, or press ${binding('quit').label} to quit.`;
  const lines = [...wrap(layout.message, width), ...wrap(hint, width)];
  return (
    <Box flexDirection="column" width={width} height={Math.max(1, layout.rows)} overflow="hidden">
      {lines.slice(0, Math.max(1, layout.rows)).map((l, i) => (
        <Text key={i} bold={i === 0}>
          {l}
        </Text>
      ))}
    </Box>
  );
}
