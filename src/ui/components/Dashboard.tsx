/**
 * Composes the frame from the layout: header, the three panes, notice line,
 * status bar, and whatever overlay the mode asks for. Sizes come in as props
 * (from the layout), never from the terminal, so tests can pick any size.
 */
import { Box } from 'ink';
import type { Dialog } from '../dialogs.js';
import type { KeyContext } from '../keymap.js';
import type { FitLayout } from '../layout.js';
import type { UiState } from '../ui-state.js';
import { ChatPane } from './ChatPane.js';
import { DialogHost } from './DialogHost.js';
import { Header } from './Header.js';
import { HelpOverlay } from './HelpOverlay.js';
import { NoticeLine } from './NoticeLine.js';
import { PeersPane } from './PeersPane.js';
import { SendInput } from './SendInput.js';
import { SettingsDialog } from './SettingsDialog.js';
import { StatusBar } from './StatusBar.js';
import { TransfersPane } from './TransfersPane.js';

export interface DashboardProps {
  layout: FitLayout;
  state: UiState;
  dialogs: readonly Dialog[];
  context: KeyContext;
}

function statusExtra(state: UiState, context: KeyContext, dialogs: readonly Dialog[]): string | undefined {
  if (state.closing === 'detach') return 'Detaching: the engine keeps running…';
  if (state.closing && state.remote && state.closing !== 'quit') return 'Leaving: the engine keeps running…';
  if (state.closing) return state.remote ? 'Stopping the engine: saying goodbye to peers…' : 'Closing: saying goodbye to peers…';
  if ((context === 'chat-input' || context === 'send-input' || context === 'settings-input') && dialogs.length > 0) {
    return `⚑ ${dialogs.length} waiting (Esc to answer)`;
  }
  return undefined;
}

export function Dashboard({ layout, state, dialogs, context }: DashboardProps) {
  const focus = layout.focus;
  const overlay = layout.overlay;
  const front = dialogs[0];
  const dialogScroll = front && state.dialogScroll.key === front.key ? state.dialogScroll.offset : 0;
  return (
    <Box flexDirection="column" width={layout.columns} height={layout.rows} overflow="hidden">
      <Box height={1} width={layout.columns}>
        <Header width={layout.columns} />
      </Box>
      <Box flexDirection="row" height={layout.peers.height} width={layout.columns}>
        <PeersPane rect={layout.peers} focused={focus === 'peers'} selectedId={state.selectedPeerId} />
        <Box flexDirection="column" width={layout.transfers.width}>
          <TransfersPane
            rect={layout.transfers}
            focused={focus === 'transfers'}
            selectedId={state.selectedTransferId}
            hiddenOfferIds={state.hiddenOffers}
          />
          <ChatPane
            layout={layout}
            focused={focus === 'chat'}
            selectedId={state.selectedPeerId}
            typing={context === 'chat-input'}
            drafts={state.drafts}
            scroll={state.chatScroll}
          />
        </Box>
      </Box>
      <Box height={1} width={layout.columns}>
        <NoticeLine width={layout.columns} local={state.localNotices} />
      </Box>
      <Box height={1} width={layout.columns}>
        <StatusBar context={context} width={layout.columns} extra={statusExtra(state, context, dialogs)} selectedPeerId={state.selectedPeerId} remote={state.remote === true} />
      </Box>
      {overlay && context === 'help' ? <HelpOverlay rect={overlay} scroll={state.helpScroll} /> : null}
      {overlay && context === 'dialog' ? <DialogHost dialogs={dialogs} rect={overlay} scroll={dialogScroll} /> : null}
      {overlay && context === 'send-input' && state.send ? <SendInput rect={overlay} send={state.send} /> : null}
      {overlay && context === 'settings-input' && state.settings ? <SettingsDialog rect={overlay} settings={state.settings} /> : null}
    </Box>
  );
}
