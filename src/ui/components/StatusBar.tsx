/**
 * Bottom line, generated from the keymap for the layer in front (focused pane
 * or mode), so it always shows the keys that are actually live.
 */
import { Text } from 'ink';
import { type KeyContext, statusBindings } from '../keymap.js';
import { displayWidth, truncate } from '../text.js';
import { useTheme } from '../theme.js';

export function statusItems(context: KeyContext, remote = false): Array<{ key: string; text: string }> {
  return statusBindings(context, remote).map((b) => ({ key: b.statusKey ?? b.label, text: b.status ?? '' }));
}

const SEP = '  ';

export function StatusBar({ context, width, extra, remote = false }: { context: KeyContext; width: number; extra?: string; remote?: boolean }) {
  const theme = useTheme();
  const items = statusItems(context, remote);
  const prefix = extra ? `${extra}${SEP}` : '';
  let used = displayWidth(prefix);
  const shown: typeof items = [];
  for (const it of items) {
    const w = displayWidth(it.key) + 1 + displayWidth(it.text) + (shown.length > 0 ? SEP.length : 0);
    if (used + w > width) break;
    shown.push(it);
    used += w;
  }
  const cut = shown.length < items.length;
  return (
    <Text wrap="truncate-end">
      {prefix ? (
        <Text bold color={theme.tone('warn')}>
          {truncate(extra ?? '', width)}
          {SEP}
        </Text>
      ) : null}
      {shown.map((it, i) => (
        <Text key={it.key + it.text}>
          {i > 0 ? SEP : ''}
          <Text bold color={theme.tone('key')}>
            {it.key}
          </Text>
          <Text> {it.text}</Text>
        </Text>
      ))}
      {cut && used < width ? '…' : ''}
    </Text>
  );
}
