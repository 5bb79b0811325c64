/**
 * Bottom line, generated from the keymap for the layer in front (focused pane
 * or mode), so it always shows the keys that are actually live. When the line
 * is short, entries are kept by their keymap priority (`?` always), and shown
 * in table order; a command that would do nothing here (pair on a verified
 * peer) is left out.
 */
import { Text } from 'ink';
import type { DeviceId } from '../../protocol/device-id.js';
import { type Command, type KeyContext, STATUS_PRIORITY_DEFAULT, statusBindings } from '../keymap.js';
import { displayWidth, truncate } from '../text.js';
import { useTheme } from '../theme.js';
import { selectedPeer } from '../ui-state.js';
import { selectPeers, useEngine } from '../use-engine.js';

export interface StatusItem {
  readonly key: string;
  readonly text: string;
  readonly priority: number;
}

export function statusItems(context: KeyContext, hide: readonly Command[] = [], remote = false): StatusItem[] {
  return statusBindings(context, remote)
    .filter((b) => !hide.includes(b.command))
    .map((b) => ({ key: b.statusKey ?? b.label, text: b.statusIn?.[context] ?? b.status ?? '', priority: b.statusPriority ?? STATUS_PRIORITY_DEFAULT }));
}

const SEP = '  ';

const itemWidth = (it: StatusItem): number => displayWidth(it.key) + 1 + displayWidth(it.text);

/** The items that fit in `width`, most important first, returned in their original order. */
export function fitStatusItems(items: readonly StatusItem[], width: number): StatusItem[] {
  const byPriority = items.map((it, i) => ({ it, i })).sort((a, b) => a.it.priority - b.it.priority || a.i - b.i);
  const keep = new Set<number>();
  let used = 0;
  for (const { it, i } of byPriority) {
    const w = itemWidth(it) + (keep.size > 0 ? SEP.length : 0);
    if (used + w > width) continue;
    keep.add(i);
    used += w;
  }
  return items.filter((_, i) => keep.has(i));
}

export interface StatusBarProps {
  context: KeyContext;
  width: number;
  extra?: string;
  selectedPeerId?: DeviceId;
  /** Attached to an engine in another process (detach is offered). */
  remote?: boolean;
}

export function StatusBar({ context, width, extra, selectedPeerId, remote = false }: StatusBarProps) {
  const theme = useTheme();
  const peers = useEngine(selectPeers);
  const peer = selectedPeer(peers, selectedPeerId);
  const hide: Command[] = peer && !peer.verified ? [] : ['pair'];
  const items = statusItems(context, hide, remote);
  const prefix = extra ? `${extra}${SEP}` : '';
  const room = Math.max(0, width - displayWidth(prefix) - 1); // one column for "…"
  const shown = displayWidth(prefix) + items.reduce((n, it, i) => n + itemWidth(it) + (i > 0 ? SEP.length : 0), 0) <= width ? items : fitStatusItems(items, room);
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
      {cut ? '…' : ''}
    </Text>
  );
}
