/**
 * One line of input with a visible cursor, scrolled horizontally so the
 * cursor is always on screen (line-editor.ts decides what shows).
 */
import { Text } from 'ink';
import { type LineState, lineWindow } from '../line-editor.js';
import { safeLine } from '../safe.js';

export function LineInput({ line, width }: { line: LineState; width: number }) {
  // The text holds no control characters (line-editor.ts), but a completed file name
  // comes from the disk: neutralise on the way to the screen all the same.
  const head = safeLine(line.text.slice(0, line.cursor), Infinity);
  const w = lineWindow({ text: head + safeLine(line.text.slice(line.cursor), Infinity), cursor: head.length }, width);
  return (
    <Text wrap="truncate-end">
      {w.before}
      <Text inverse>{w.at === '' ? ' ' : w.at}</Text>
      {w.after}
    </Text>
  );
}
