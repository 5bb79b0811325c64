/** The Transfers pane: sends and receives with progress, rate, ETA, outbox retries and failures. */
import { memo } from 'react';
import type { EngineSnapshot } from '../../core/engine-api.js';
import type { Rect } from '../layout.js';
import { transferRows } from '../transfer-rows.js';
import { selectedTransfer } from '../ui-state.js';
import { useNow } from '../use-now.js';
import { selectTransfers, useDashboardEnv, useEngine } from '../use-engine.js';
import { Pane } from './Pane.js';
import { Rows } from './Rows.js';

/** The "next attempt in N s" countdown needs a 1 s tick, but only while something waits in the outbox. */
const COUNTDOWN_TICK_MS = 1000;
const selectWaiting = (s: EngineSnapshot): boolean => s.transfers.some((t) => t.state === 'queued' || t.state === 'retrying');

const selectOffers = (s: EngineSnapshot): EngineSnapshot['offers'] => s.offers;
const NO_IDS: readonly string[] = [];

export interface TransfersPaneProps {
  rect: Rect;
  focused: boolean;
  selectedId?: string;
  /** Offers put aside with Esc (UiState.hiddenOffers). */
  hiddenOfferIds?: readonly string[];
}

export const TransfersPane = memo(function TransfersPane({ rect, focused, selectedId, hiddenOfferIds = NO_IDS }: TransfersPaneProps) {
  const { clock } = useDashboardEnv();
  const transfers = useEngine(selectTransfers);
  const offers = useEngine(selectOffers);
  const pendingOffers = offers.filter((o) => hiddenOfferIds.includes(o.id));
  const waiting = useEngine(selectWaiting);
  const nowMono = useNow(clock, COUNTDOWN_TICK_MS, 'mono', waiting);
  const effective = selectedTransfer(transfers, selectedId)?.id;
  const width = rect.width - 2;
  const rows = transferRows(transfers, { width, height: rect.height - 2, selectedId: effective, nowMono, pendingOffers });
  const title = `Transfers (${transfers.length})${pendingOffers.length > 0 ? ` · ${pendingOffers.length} offer${pendingOffers.length === 1 ? '' : 's'} waiting` : ''}`;
  return (
    <Pane rect={rect} title={title} focused={focused}>
      <Rows rows={rows} width={width} focused={focused} />
    </Pane>
  );
});
