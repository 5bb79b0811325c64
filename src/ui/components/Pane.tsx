/**
 * A bordered pane with its title set into the top border. The focused pane
 * gets a double border and a ▸ before its title, so focus reads without colour.
 */
import type { ReactNode } from 'react';
import { Box, Text } from 'ink';
import type { Rect } from '../layout.js';
import { displayWidth, truncate } from '../text.js';
import { useTheme } from '../theme.js';

export function borderTop(title: string, width: number, focused: boolean): string {
  const [tl, h, tr] = focused ? ['╔', '═', '╗'] : ['┌', '─', '┐'];
  if (width < 2) return '';
  const t = truncate(` ${focused ? '▸ ' : ''}${title} `, Math.max(0, width - 4));
  return tl + h + t + h.repeat(Math.max(0, width - 3 - displayWidth(t))) + tr;
}

export function Pane({ rect, title, focused, children }: { rect: Rect; title: string; focused: boolean; children?: ReactNode }) {
  const theme = useTheme();
  const color = focused ? theme.tone('accent') : undefined;
  return (
    <Box flexDirection="column" width={rect.width} height={rect.height} flexShrink={0}>
      <Text bold={focused} color={color} wrap="truncate-end">
        {borderTop(title, rect.width, focused)}
      </Text>
      <Box
        // Remount on focus change: Ink applies only the changed style keys, and a
        // borderStyle change without borderTop in the diff turns the hidden top
        // border back on as an empty row (ink 6.8.0 reconciler.js:201 + styles.js:194-197).
        key={focused ? 'focused' : 'plain'}
        borderStyle={focused ? 'double' : 'single'}
        borderTop={false}
        borderColor={color}
        width={rect.width}
        height={rect.height - 1}
        flexDirection="column"
        overflow="hidden"
      >
        {children}
      </Box>
    </Box>
  );
}
