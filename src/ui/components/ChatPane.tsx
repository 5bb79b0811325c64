/**
 * The Chat pane for the selected peer: the message log and, on its last line,
 * the input (LineInput) while writing, or a hint when not.
 */
import { memo, useCallback } from 'react';
import { Box, Text } from 'ink';
import type { ChatMessageView, EngineSnapshot } from '../../core/engine-api.js';
import type { DeviceId } from '../../protocol/device-id.js';
import type { FitLayout } from '../layout.js';
import { chatRows } from '../chat-rows.js';
import { binding } from '../keymap.js';
import { EMPTY_LINE, type LineState } from '../line-editor.js';
import { safeLine, safeName } from '../safe.js';
import { selectedPeer } from '../ui-state.js';
import { selectPeers, useEngine } from '../use-engine.js';
import { truncate } from '../text.js';
import { useTheme } from '../theme.js';
import { LineInput } from './LineInput.js';
import { Pane } from './Pane.js';
import { Rows } from './Rows.js';

const NO_MESSAGES: readonly ChatMessageView[] = [];

export interface ChatPaneProps {
  layout: FitLayout;
  focused: boolean;
  selectedId?: DeviceId;
  typing: boolean;
  drafts: Readonly<Record<string, LineState>>;
  scroll: number;
}

export const ChatPane = memo(function ChatPane({ layout, focused, selectedId, typing, drafts, scroll }: ChatPaneProps) {
  const theme = useTheme();
  const peers = useEngine(selectPeers);
  const peer = selectedPeer(peers, selectedId);
  const selectMessages = useCallback((s: EngineSnapshot) => (peer ? (s.chats[peer.deviceId] ?? NO_MESSAGES) : NO_MESSAGES), [peer]);
  const messages = useEngine(selectMessages);
  const line = peer ? (drafts[peer.deviceId] ?? EMPTY_LINE) : EMPTY_LINE;
  const draft = line.text;
  const log = layout.chatLog;
  const title = peer ? `Chat with ${safeName(peer.name)} (${peer.shortId})${scroll > 0 ? ` · ${scroll} back` : ''}` : 'Chat';
  const rows = peer ? chatRows(messages, { width: log.width, height: log.height, scroll, peerName: peer.name }) : [];
  return (
    <Pane rect={layout.chat} title={title} focused={focused}>
      <Box flexDirection="column" height={log.height} overflow="hidden" justifyContent="flex-end">
        {peer ? <Rows rows={rows} width={log.width} /> : <Text color={theme.tone('muted')}>Select a peer to chat.</Text>}
      </Box>
      <Box height={1} width={layout.chatInput.width} overflow="hidden">
        {typing && peer ? (
          <>
            <Text bold color={theme.tone('accent')}>
              {'› '}
            </Text>
            <LineInput line={line} width={Math.max(1, layout.chatInput.width - 2)} />
          </>
        ) : (
          <Text color={theme.tone('muted')} wrap="truncate-end">
            {peer ? truncate(draft ? `Draft: ${safeLine(draft)}` : `Press ${binding('chat').label.split(' ').join(' or ')} to write`, layout.chatInput.width) : ''}
          </Text>
        )}
      </Box>
    </Pane>
  );
});
