/**
 * The dashboard's own state (focus, mode, selection, drafts, local confirms,
 * local notices) and the effects a state change asks for. Everything the
 * engine knows stays in the engine snapshot; this holds only what the user did.
 */
import type { DeviceId } from '../protocol/device-id.js';
import type { NoticeLevel, PathCheck, PeerView, TransferView } from '../core/engine-api.js';
import type { PaneId } from './layout.js';
import type { LineState } from './line-editor.js';

export type Mode = 'normal' | 'help' | 'chat' | 'send' | 'settings';

/** A question the dashboard itself asks (as opposed to one the engine raises). */
export type LocalConfirm =
  | { readonly kind: 'cancel'; readonly key: string; readonly transferId: string }
  | { readonly kind: 'quit'; readonly key: string; readonly stopEngine?: boolean };

export interface SendState {
  readonly peerId: DeviceId;
  readonly path: string;
  /** Cursor position in `path` (see line-editor.ts). */
  readonly cursor: number;
  readonly check?: { readonly path: string; readonly result: PathCheck };
  readonly checking: boolean;
  /** Candidates from the last Tab when there was more than one. */
  readonly candidates: readonly string[];
  readonly message?: string;
}

/** One line of the settings dialog (settings-edit.ts). */
export interface SettingsField {
  readonly key: string;
  readonly summary: string;
  /** The value the engine has. */
  readonly saved: string;
  readonly line: LineState;
}

export interface SettingsState {
  readonly fields: readonly SettingsField[];
  readonly index: number;
  /** Waiting for the engine's list. */
  readonly loading: boolean;
  /** The key being saved. */
  readonly saving?: string;
  readonly message?: { readonly tone: 'ok' | 'error' | 'muted'; readonly text: string };
}

export interface LocalNotice {
  readonly id: string;
  readonly level: NoticeLevel;
  readonly text: string;
  /** Monotonic ms (same clock as engine notices). */
  readonly at: number;
}

/** `detach`: leave the dashboard, the (remote) engine keeps running. */
export type QuitReason = 'quit' | 'interrupt' | 'force' | 'detach';

export interface UiState {
  readonly focus: PaneId;
  readonly mode: Mode;
  readonly selectedPeerId?: DeviceId;
  readonly selectedTransferId?: string;
  /** Messages scrolled back from the newest. */
  readonly chatScroll: number;
  readonly helpScroll: number;
  /** File-list scroll of the dialog in front, keyed so a new dialog starts at the top. */
  readonly dialogScroll: { readonly key: string; readonly offset: number };
  /** Chat drafts per peer, with their cursors. */
  readonly drafts: Readonly<Record<string, LineState>>;
  readonly send?: SendState;
  readonly settings?: SettingsState;
  readonly confirms: readonly LocalConfirm[];
  /** Dialogs answered here, by engine id, until the engine drops them. */
  readonly answered: Readonly<Record<string, 'yes' | 'no'>>;
  /** Offers put aside with Esc: still pending, listed in Transfers, brought back with `a`. */
  readonly hiddenOffers: readonly string[];
  readonly localNotices: readonly LocalNotice[];
  readonly seq: number;
  readonly closing?: QuitReason;
  /** Attached to an engine in another process (q then stops it; d detaches). */
  readonly remote?: boolean;
  /** The attached engine went away. */
  readonly engineLost?: boolean;
}

export type Effect =
  | { readonly type: 'sendChat'; readonly peerId: DeviceId; readonly text: string }
  | { readonly type: 'sendFiles'; readonly peerId: DeviceId; readonly paths: readonly string[] }
  | { readonly type: 'checkPath'; readonly path: string; readonly submit: boolean }
  | { readonly type: 'completePath'; readonly path: string }
  | { readonly type: 'startPairing'; readonly peerId: DeviceId }
  | { readonly type: 'answerPairing'; readonly id: string; readonly accept: boolean }
  | { readonly type: 'answerOffer'; readonly id: string; readonly accept: boolean }
  | { readonly type: 'cancelTransfer'; readonly id: string }
  | { readonly type: 'retryNow'; readonly id: string }
  | { readonly type: 'quit'; readonly reason: QuitReason }
  | { readonly type: 'startEngine' }
  | { readonly type: 'loadSettings' }
  | { readonly type: 'setSetting'; readonly key: string; readonly text: string };

export interface Transition {
  readonly state: UiState;
  readonly effects: readonly Effect[];
}

export const initialUiState: UiState = {
  focus: 'peers',
  mode: 'normal',
  chatScroll: 0,
  helpScroll: 0,
  dialogScroll: { key: '', offset: 0 },
  drafts: {},
  confirms: [],
  answered: {},
  hiddenOffers: [],
  localNotices: [],
  seq: 0,
};

/** How long a notice stays on screen (k9s flashes for 6 s; we are a little quicker). */
export const NOTICE_TTL_MS = 5000;
/** At most this many local notices are kept. */
const MAX_LOCAL_NOTICES = 8;

export function stay(state: UiState): Transition {
  return { state, effects: [] };
}

export function withNotice(state: UiState, level: NoticeLevel, text: string, now: number): UiState {
  const seq = state.seq + 1;
  const fresh = state.localNotices.filter((n) => now - n.at < NOTICE_TTL_MS).slice(-(MAX_LOCAL_NOTICES - 1));
  return { ...state, seq, localNotices: [...fresh, { id: `local-${seq}`, level, text, at: now }] };
}

/** The selected peer: the remembered one if still listed, else the first. */
export function selectedPeer(peers: readonly PeerView[], id: DeviceId | undefined): PeerView | undefined {
  return peers.find((p) => p.deviceId === id) ?? peers[0];
}

export function selectedTransfer(transfers: readonly TransferView[], id: string | undefined): TransferView | undefined {
  return transfers.find((t) => t.id === id) ?? transfers[0];
}

/** Move a selection by `delta` within `ids`, clamped at the ends. */
export function moveSelection<T extends string>(ids: readonly T[], current: T | undefined, delta: number): T | undefined {
  if (ids.length === 0) return current;
  const at = current === undefined ? -1 : ids.indexOf(current);
  const from = at < 0 ? 0 : at;
  const next = Math.max(0, Math.min(ids.length - 1, from + delta));
  return ids[next];
}

/** Peers a stopping engine would disconnect. */
export function connectedPeers(peers: readonly PeerView[]): PeerView[] {
  return peers.filter((p) => p.state === 'online');
}

/** Transfers that quitting would interrupt (queued ones live on in the outbox). */
export function runningTransfers(transfers: readonly TransferView[]): TransferView[] {
  return transfers.filter((t) => t.state === 'active' || t.state === 'verifying' || t.state === 'paused' || t.state === 'offered');
}

export function isCancellable(t: TransferView): boolean {
  return !['done', 'failed', 'cancelled', 'denied'].includes(t.state);
}
