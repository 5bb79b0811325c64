/**
 * A box drawn over the panes (help, dialogs, send input). Ink paints later
 * siblings over earlier ones, so every interior cell is written — short lines
 * are padded with spaces — and nothing from the panes shows through.
 */
import type { ReactNode } from 'react';
import { Box, Text } from 'ink';
import type { Rect } from '../layout.js';
import { borderTop } from './Pane.js';
import { useTheme } from '../theme.js';

export function Overlay({ rect, title, children, footer }: { rect: Rect; title: string; children: ReactNode; footer?: ReactNode }) {
  const theme = useTheme();
  const inner = rect.width - 2;
  const blank = ' '.repeat(Math.max(0, inner));
  return (
    <Box position="absolute" marginLeft={rect.x} marginTop={rect.y} width={rect.width} height={rect.height} flexDirection="column">
      <Text bold color={theme.tone('accent')} wrap="truncate-end">
        {borderTop(title, rect.width, true)}
      </Text>
      <Box borderStyle="double" borderTop={false} borderColor={theme.tone('accent')} width={rect.width} height={rect.height - 1} flexDirection="column">
        <Box position="absolute" width={inner} height={rect.height - 2} flexDirection="column">
          {Array.from({ length: Math.max(0, rect.height - 2) }, (_, i) => (
            <Text key={i}>{blank}</Text>
          ))}
        </Box>
        <Box flexDirection="column" width={inner} height={rect.height - 2} overflow="hidden">
          <Box flexDirection="column" flexGrow={1} overflow="hidden">
            {children}
          </Box>
          {footer}
        </Box>
      </Box>
    </Box>
  );
}
