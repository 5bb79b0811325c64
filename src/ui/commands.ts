/**
 * What each keymap command does, as a pure function of the UI state and the
 * engine snapshot: a new state plus the engine calls (effects) to make.
 */
import type { EngineSnapshot } from '../core/engine-api.js';
import type { Command, KeyContext } from './keymap.js';
import { PANES } from './layout.js';
import { type Dialog, hiddenOffers } from './dialogs.js';
import { safeName } from './safe.js';
import { commandEdit, editInput } from './input-edit.js';
import { EMPTY_LINE } from './line-editor.js';
import { closeSettings, moveSettingsField, openSettings, submitSetting } from './settings-edit.js';
import {
  type Transition,
  type UiState,
  connectedPeers,
  isCancellable,
  moveSelection,
  runningTransfers,
  selectedPeer,
  selectedTransfer,
  stay,
  withNotice,
} from './ui-state.js';

export interface CommandCtx {
  readonly state: UiState;
  readonly snapshot: EngineSnapshot;
  readonly dialogs: readonly Dialog[];
  readonly context: KeyContext;
  /** Monotonic ms, for notices. */
  readonly now: number;
}

const MAX_SCROLL = 100_000;

function note(ctx: CommandCtx, text: string, level: 'info' | 'warn' | 'error' = 'info'): Transition {
  return stay(withNotice(ctx.state, level, text, ctx.now));
}

function focusBy(ctx: CommandCtx, delta: number): Transition {
  if (ctx.context === 'settings-input') return moveSettingsField(ctx.state, delta);
  const i = PANES.indexOf(ctx.state.focus);
  const focus = PANES[(i + delta + PANES.length) % PANES.length] ?? 'peers';
  return stay({ ...ctx.state, focus });
}

function select(ctx: CommandCtx, delta: number): Transition {
  const { state, snapshot, context } = ctx;
  switch (context) {
    case 'peers': {
      const current = selectedPeer(snapshot.peers, state.selectedPeerId)?.deviceId;
      const next = moveSelection(
        snapshot.peers.map((p) => p.deviceId),
        current,
        delta,
      );
      return stay({ ...state, ...(next ? { selectedPeerId: next } : {}), chatScroll: 0 });
    }
    case 'transfers': {
      const current = selectedTransfer(snapshot.transfers, state.selectedTransferId)?.id;
      const next = moveSelection(
        snapshot.transfers.map((t) => t.id),
        current,
        delta,
      );
      return stay({ ...state, ...(next ? { selectedTransferId: next } : {}) });
    }
    case 'chat': {
      // Up scrolls back in time.
      const peer = selectedPeer(snapshot.peers, state.selectedPeerId);
      const count = peer ? (snapshot.chats[peer.deviceId]?.length ?? 0) : 0;
      const chatScroll = Math.max(0, Math.min(Math.max(0, count - 1), state.chatScroll - delta));
      return stay({ ...state, chatScroll });
    }
    case 'help':
      return stay({ ...state, helpScroll: Math.max(0, Math.min(MAX_SCROLL, state.helpScroll + delta)) });
    case 'dialog': {
      const front = ctx.dialogs[0];
      if (!front) return stay(state);
      const current = state.dialogScroll.key === front.key ? state.dialogScroll.offset : 0;
      const max = front.kind === 'offer' ? Math.max(0, front.offer.files.length - 1) : 0;
      return stay({ ...state, dialogScroll: { key: front.key, offset: Math.max(0, Math.min(max, current + delta)) } });
    }
    default:
      return stay(state);
  }
}

function answer(ctx: CommandCtx, yes: boolean): Transition {
  const { state } = ctx;
  const front = ctx.dialogs[0];
  if (!front) return stay(state);
  switch (front.kind) {
    case 'confirm-quit': {
      const confirms = state.confirms.filter((c) => c.key !== front.key);
      if (!yes) return stay({ ...state, confirms });
      return { state: { ...state, confirms, closing: 'quit' }, effects: [{ type: 'quit', reason: 'quit' }] };
    }
    case 'confirm-cancel': {
      const confirms = state.confirms.filter((c) => c.key !== front.key);
      if (!yes) return stay({ ...state, confirms });
      return { state: { ...state, confirms }, effects: [{ type: 'cancelTransfer', id: front.transfer.id }] };
    }
    case 'pairing': {
      const p = front.pairing;
      if (yes) {
        if (front.waiting) return note(ctx, 'Already confirmed here; waiting for the other side');
        if (!p.code) return note(ctx, 'The code is not ready yet');
        return {
          state: { ...state, answered: { ...state.answered, [p.id]: 'yes' } },
          effects: [{ type: 'answerPairing', id: p.id, accept: true }],
        };
      }
      return {
        state: { ...state, answered: { ...state.answered, [p.id]: 'no' } },
        effects: [{ type: 'answerPairing', id: p.id, accept: false }],
      };
    }
    case 'offer': {
      const o = front.offer;
      return {
        state: { ...state, answered: { ...state.answered, [o.id]: yes ? 'yes' : 'no' } },
        effects: [{ type: 'answerOffer', id: o.id, accept: yes }],
      };
    }
  }
}

function submit(ctx: CommandCtx): Transition {
  const { state } = ctx;
  if (ctx.context === 'chat-input') {
    const peer = selectedPeer(ctx.snapshot.peers, state.selectedPeerId);
    if (!peer) return stay({ ...state, mode: 'normal' });
    const text = state.drafts[peer.deviceId]?.text ?? '';
    if (text.trim() === '') return stay(state);
    return {
      state: { ...state, drafts: { ...state.drafts, [peer.deviceId]: EMPTY_LINE }, chatScroll: 0 },
      effects: [{ type: 'sendChat', peerId: peer.deviceId, text }],
    };
  }
  if (ctx.context === 'settings-input') return submitSetting(state);
  const send = state.send;
  if (!send) return stay({ ...state, mode: 'normal' });
  if (send.path.trim() === '') return stay({ ...state, send: { ...send, message: 'Type the path of a file or folder' } });
  return {
    state: { ...state, send: { ...send, checking: true, message: undefined } },
    effects: [{ type: 'checkPath', path: send.path, submit: true }],
  };
}

function close(ctx: CommandCtx): Transition {
  const { state } = ctx;
  switch (ctx.context) {
    case 'dialog': {
      // An offer is only put aside: it stays pending (Transfers lists it) and nothing is sent.
      const front = ctx.dialogs[0];
      if (front?.kind === 'offer') return stay({ ...state, hiddenOffers: [...state.hiddenOffers, front.offer.id] });
      return answer(ctx, false);
    }
    case 'send-input':
      return stay({ ...state, mode: 'normal', send: undefined });
    case 'settings-input':
      return closeSettings(state);
    default:
      return stay({ ...state, mode: 'normal' });
  }
}

export function runCommand(command: Command, ctx: CommandCtx): Transition {
  const { state, snapshot } = ctx;
  switch (command) {
    case 'focusNext':
      return focusBy(ctx, 1);
    case 'focusPrev':
      return focusBy(ctx, -1);
    case 'selectUp':
      return select(ctx, -1);
    case 'selectDown':
      return select(ctx, 1);
    case 'send': {
      const peer = selectedPeer(snapshot.peers, state.selectedPeerId);
      if (!peer) return note(ctx, 'No peer selected: nobody to send to yet', 'warn');
      return stay({
        ...state,
        mode: 'send',
        selectedPeerId: peer.deviceId,
        send: { peerId: peer.deviceId, path: '', cursor: 0, checking: false, candidates: [] },
      });
    }
    case 'chat': {
      const peer = selectedPeer(snapshot.peers, state.selectedPeerId);
      if (!peer) return note(ctx, 'No peer selected: nobody to write to yet', 'warn');
      return stay({ ...state, mode: 'chat', focus: 'chat', selectedPeerId: peer.deviceId, chatScroll: 0 });
    }
    case 'pair': {
      const peer = selectedPeer(snapshot.peers, state.selectedPeerId);
      if (!peer) return note(ctx, 'No peer selected', 'warn');
      if (peer.verified) return note(ctx, `${safeName(peer.name)} (${peer.shortId}) is already verified`);
      return { state: { ...state, selectedPeerId: peer.deviceId }, effects: [{ type: 'startPairing', peerId: peer.deviceId }] };
    }
    case 'cancel': {
      const t = selectedTransfer(snapshot.transfers, state.selectedTransferId);
      if (!t || !isCancellable(t)) return note(ctx, 'Nothing to cancel here');
      const key = `cancel:${t.id}`;
      if (state.confirms.some((c) => c.key === key)) return stay(state);
      return stay({ ...state, selectedTransferId: t.id, confirms: [...state.confirms, { kind: 'cancel', key, transferId: t.id }] });
    }
    case 'retry': {
      const t = selectedTransfer(snapshot.transfers, state.selectedTransferId);
      if (!t || (t.state !== 'queued' && t.state !== 'retrying')) return note(ctx, 'Only a queued transfer can be retried');
      return { state: { ...state, selectedTransferId: t.id }, effects: [{ type: 'retryNow', id: t.id }] };
    }
    case 'submit':
      return submit(ctx);
    case 'complete': {
      const send = state.send;
      if (!send) return stay(state);
      return { state: { ...state, send: { ...send, message: undefined } }, effects: [{ type: 'completePath', path: send.path }] };
    }
    case 'cursorLeft':
    case 'cursorRight':
    case 'lineStart':
    case 'lineEnd':
    case 'deleteBack':
    case 'deleteForward':
    case 'deleteWord':
    case 'clearLine': {
      const edit = commandEdit(command);
      return edit ? editInput(state, snapshot, edit) : stay(state);
    }
    case 'answerOffer': {
      const waiting = hiddenOffers(state, snapshot);
      const first = waiting[0];
      if (!first) return note(ctx, 'No offer is waiting for an answer');
      const keep = new Set(waiting.slice(1).map((o) => o.id));
      return stay({ ...state, hiddenOffers: state.hiddenOffers.filter((id) => keep.has(id)) });
    }
    case 'yes':
      return answer(ctx, true);
    case 'no':
      return answer(ctx, false);
    case 'help':
      return stay({ ...state, mode: state.mode === 'help' ? 'normal' : 'help', helpScroll: 0 });
    case 'close':
      return close(ctx);
    case 'quit': {
      // Attached to a running engine, quitting stops it for everyone: ask while peers are connected too.
      if (state.engineLost) return { state: { ...state, closing: 'quit' }, effects: [{ type: 'quit', reason: 'quit' }] };
      const stopEngine = state.remote === true;
      const busy = runningTransfers(snapshot.transfers).length > 0 || (stopEngine && connectedPeers(snapshot.peers).length > 0);
      if (busy) {
        if (state.confirms.some((c) => c.kind === 'quit')) return stay(state);
        const confirm = stopEngine ? { kind: 'quit' as const, key: 'quit', stopEngine } : { kind: 'quit' as const, key: 'quit' };
        return stay({ ...state, mode: 'normal', confirms: [confirm, ...state.confirms] });
      }
      return { state: { ...state, closing: 'quit' }, effects: [{ type: 'quit', reason: 'quit' }] };
    }
    case 'detach':
      if (!state.remote) return note(ctx, 'This dashboard runs the engine itself: leaving stops it (q). Detaching needs an engine running in the background.', 'warn');
      return { state: { ...state, closing: 'detach' }, effects: [{ type: 'quit', reason: 'detach' }] };
    case 'startEngine':
      return { state, effects: [{ type: 'startEngine' }] };
    case 'settings':
      return openSettings(state);
    case 'forceQuit': {
      const reason = state.closing ? 'force' : 'interrupt';
      return { state: { ...state, closing: reason }, effects: [{ type: 'quit', reason }] };
    }
  }
}
