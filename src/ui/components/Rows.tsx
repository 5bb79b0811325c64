/** Draws pre-laid-out rows (see text.ts `Row`): one Ink Text per row, never wrapping. */
import { Text } from 'ink';
import { type Row, displayWidth, fitRow } from '../text.js';
import { useTheme } from '../theme.js';

export function RowLine({ row, width, focused = true }: { row: Row; width: number; focused?: boolean }) {
  const theme = useTheme();
  const fitted = fitRow(row, width);
  const used = fitted.segments.reduce((n, s) => n + displayWidth(s.text), 0);
  // A selected row is inverted across the full width (when its pane has focus), bold otherwise.
  const pad = row.selected ? ' '.repeat(Math.max(0, width - used)) : '';
  return (
    <Text wrap="truncate-end" inverse={Boolean(row.selected && focused)} bold={Boolean(row.selected && !focused)}>
      {fitted.segments.map((s, i) => (
        <Text key={i} color={theme.tone(s.tone)} bold={s.bold}>
          {s.text}
        </Text>
      ))}
      {pad}
    </Text>
  );
}

export function Rows({ rows, width, focused = true }: { rows: readonly Row[]; width: number; focused?: boolean }) {
  return (
    <>
      {rows.map((row, i) => (
        <RowLine key={i} row={row} width={width} focused={focused} />
      ))}
    </>
  );
}
