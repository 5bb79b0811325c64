/**
 * Editing the chat draft or the send path: typed characters, pastes and the
 * line-editing commands go through line-editor.ts; a changed path asks the
 * engine to check it again.
 */
import type { Command, KeyPress } from './keymap.js';
import { type LineEdit, EMPTY_LINE, applyEdit } from './line-editor.js';
import { MAX_CHAT_CHARS } from './safe.js';
import { type Transition, type UiState, selectedPeer, stay } from './ui-state.js';
import type { EngineSnapshot } from '../core/engine-api.js';
import { editSettings } from './settings-edit.js';

/** A path longer than this is not a path anyone types. */
export const MAX_PATH_CHARS = 4096;

const COMMAND_EDITS: Partial<Record<Command, LineEdit>> = {
  cursorLeft: { type: 'left' },
  cursorRight: { type: 'right' },
  lineStart: { type: 'home' },
  lineEnd: { type: 'end' },
  deleteBack: { type: 'backspace' },
  deleteForward: { type: 'delete' },
  deleteWord: { type: 'deleteWord' },
  clearLine: { type: 'clear' },
};

export function commandEdit(command: Command): LineEdit | undefined {
  return COMMAND_EDITS[command];
}

/** The edit a typed key or a paste makes, if it is text. */
export function textEdit(key: KeyPress): LineEdit | undefined {
  if ('char' in key) return { type: 'insert', text: key.char };
  if ('paste' in key) return { type: 'insert', text: key.paste };
  return undefined;
}

export function editInput(state: UiState, snapshot: EngineSnapshot, edit: LineEdit): Transition {
  if (state.mode === 'chat') {
    const peer = selectedPeer(snapshot.peers, state.selectedPeerId);
    if (!peer) return stay(state);
    const before = state.drafts[peer.deviceId] ?? EMPTY_LINE;
    const after = applyEdit(before, edit, MAX_CHAT_CHARS);
    if (after === before) return stay(state);
    return stay({ ...state, drafts: { ...state.drafts, [peer.deviceId]: after } });
  }
  if (state.mode === 'settings') return editSettings(state, edit);
  const send = state.send;
  if (state.mode !== 'send' || !send) return stay(state);
  const after = applyEdit({ text: send.path, cursor: send.cursor }, edit, MAX_PATH_CHARS);
  if (after.text === send.path) return after.cursor === send.cursor ? stay(state) : stay({ ...state, send: { ...send, cursor: after.cursor } });
  const path = after.text;
  return {
    state: { ...state, send: { ...send, path, cursor: after.cursor, candidates: [], message: undefined, checking: path !== '' } },
    effects: path === '' ? [] : [{ type: 'checkPath', path, submit: false }],
  };
}
