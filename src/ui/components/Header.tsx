/** Top line: who we are (name, short device ID), where we listen, the relay when there is one, and counts. */
import { memo } from 'react';
import { Text } from 'ink';
import { safeLine, safeName } from '../safe.js';
import { selectSelf, useEngine } from '../use-engine.js';
import type { EngineSnapshot } from '../../core/engine-api.js';
import { displayWidth, joinFitting, truncate } from '../text.js';
import { useTheme } from '../theme.js';

const selectCounts = (s: EngineSnapshot): string => {
  const online = s.peers.filter((p) => p.state === 'online').length;
  const active = s.transfers.filter((t) => t.state === 'active').length;
  return `${online}/${s.peers.length} online · ${active} active`;
};

export const Header = memo(function Header({ width }: { width: number }) {
  const theme = useTheme();
  const self = useEngine(selectSelf);
  const counts = useEngine(selectCounts);
  const left = joinFitting(
    [
      'peerdeck',
      `${safeName(self.name)} (${self.shortId})`,
      self.listenAddress ? `listening ${safeLine(self.listenAddress, 64)}` : 'not listening',
      // No relay yet: nothing to say (a "relay: none" reads like something is missing).
      ...(self.relay ? [`relay: ${safeLine(self.relay, 40)}`] : []),
    ],
    Math.max(1, width - displayWidth(counts) - 2),
    '  │  ',
    'stop',
  );
  const gap = Math.max(1, width - displayWidth(left) - displayWidth(counts));
  const right = displayWidth(left) + 1 + displayWidth(counts) <= width ? counts : '';
  return (
    <Text wrap="truncate-end">
      <Text bold color={theme.tone('accent')}>
        {truncate(left, width)}
      </Text>
      {right ? ' '.repeat(gap) : ''}
      <Text color={theme.tone('muted')}>{right}</Text>
    </Text>
  );
});
