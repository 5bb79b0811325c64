/**
 * The dialog queue, derived (never stored): local confirms first (the user
 * just asked for them), then pairing requests and incoming offers in the
 * order the engine lists them, then pairings already confirmed here and
 * waiting for the other side. Several arriving at once are shown one after
 * another; nothing is dropped, because the queue is recomputed from the
 * snapshot each time.
 */
import type { EngineSnapshot, OfferView, PairingView, TransferView } from '../core/engine-api.js';
import type { UiState } from './ui-state.js';
import { connectedPeers, runningTransfers } from './ui-state.js';

export type Dialog =
  | {
      readonly kind: 'confirm-quit';
      readonly key: string;
      readonly running: number;
      /** Set when quitting stops an engine other dashboards may share: peers it would disconnect. */
      readonly stopEngine?: { readonly peers: number };
    }
  | { readonly kind: 'confirm-cancel'; readonly key: string; readonly transfer: TransferView }
  | { readonly kind: 'pairing'; readonly key: string; readonly pairing: PairingView; readonly waiting: boolean }
  | { readonly kind: 'offer'; readonly key: string; readonly offer: OfferView };

/** Offers put aside with Esc that the engine still holds, oldest first. */
export function hiddenOffers(state: Pick<UiState, 'hiddenOffers' | 'answered'>, snapshot: Pick<EngineSnapshot, 'offers'>): OfferView[] {
  return snapshot.offers.filter((o) => state.hiddenOffers.includes(o.id) && state.answered[o.id] === undefined);
}

export function deriveDialogs(
  state: Pick<UiState, 'confirms' | 'answered'> & Partial<Pick<UiState, 'hiddenOffers'>>,
  snapshot: Pick<EngineSnapshot, 'pairings' | 'offers' | 'transfers'> & Partial<Pick<EngineSnapshot, 'peers'>>,
): Dialog[] {
  const out: Dialog[] = [];
  for (const c of state.confirms) {
    if (c.kind === 'quit') {
      const running = runningTransfers(snapshot.transfers).length;
      if (c.stopEngine) out.push({ kind: 'confirm-quit', key: c.key, running, stopEngine: { peers: connectedPeers(snapshot.peers ?? []).length } });
      else out.push({ kind: 'confirm-quit', key: c.key, running });
    } else {
      const transfer = snapshot.transfers.find((t) => t.id === c.transferId);
      if (transfer) out.push({ kind: 'confirm-cancel', key: c.key, transfer });
    }
  }
  const waiting: Dialog[] = [];
  for (const p of snapshot.pairings) {
    const answer = state.answered[p.id];
    if (answer === 'no') continue;
    const isWaiting = p.confirmedLocally || answer === 'yes';
    const d: Dialog = { kind: 'pairing', key: `pairing:${p.id}`, pairing: p, waiting: isWaiting };
    (isWaiting ? waiting : out).push(d);
  }
  for (const o of snapshot.offers) {
    if (state.answered[o.id] !== undefined || state.hiddenOffers?.includes(o.id)) continue;
    out.push({ kind: 'offer', key: `offer:${o.id}`, offer: o });
  }
  return [...out, ...waiting];
}
