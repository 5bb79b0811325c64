/**
 * A box drawn over the panes (help, dialogs, send input). Ink paints later
 * siblings over earlier ones, so every interior cell is written — short lines
 * are padded with spaces — and nothing from the panes shows through. With
 * `gutter`, one blank cell around it too, so what stays visible of the panes
 * ends cleanly instead of running into the dialog's border.
 */
import type { ReactNode } from 'react';
import { Box, Text } from 'ink';
import type { Rect } from '../layout.js';
import { borderTop } from './Pane.js';
import { useTheme } from '../theme.js';

export interface OverlayProps {
  rect: Rect;
  title: string;
  children: ReactNode;
  footer?: ReactNode;
  gutter?: boolean;
}

/** `rect` grown by one cell on each side, clipped to x, y ≥ 0. */
function grown(rect: Rect): Rect {
  const x = Math.max(0, rect.x - 1);
  const y = Math.max(0, rect.y - 1);
  return { x, y, width: rect.x + rect.width + 1 - x, height: rect.y + rect.height + 1 - y };
}

function Blank({ rect }: { rect: Rect }) {
  const line = ' '.repeat(Math.max(0, rect.width));
  return (
    <Box position="absolute" marginLeft={rect.x} marginTop={rect.y} width={rect.width} height={rect.height} flexDirection="column">
      {Array.from({ length: Math.max(0, rect.height) }, (_, i) => (
        <Text key={i}>{line}</Text>
      ))}
    </Box>
  );
}

export function Overlay({ rect, title, children, footer, gutter }: OverlayProps) {
  const theme = useTheme();
  const inner = rect.width - 2;
  const blank = ' '.repeat(Math.max(0, inner));
  return (
    <>
    {gutter ? <Blank rect={grown(rect)} /> : null}
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
    </>
  );
}
