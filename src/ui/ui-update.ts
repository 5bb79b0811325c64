/**
 * The dashboard's reducer: every key press and every async answer from the
 * engine (path checks, completions, failed commands) goes through `update`,
 * a pure function of (state, action, snapshot, now) → state + effects.
 */
import type { EngineSnapshot, PathCheck, SettingChange, SettingView } from '../core/engine-api.js';
import { settingFailed, settingSaved, settingsLoaded, settingsUnavailable } from './settings-edit.js';
import type { KeyPress } from './keymap.js';
import { deriveDialogs } from './dialogs.js';
import { routeKey } from './key-router.js';
import { safeLine } from './safe.js';
import { type Transition, type UiState, stay, withNotice } from './ui-state.js';

export type Action =
  | { readonly type: 'key'; readonly key: KeyPress }
  | { readonly type: 'pathChecked'; readonly path: string; readonly result: PathCheck; readonly submit: boolean }
  | { readonly type: 'pathCompleted'; readonly path: string; readonly candidates: readonly string[] }
  | { readonly type: 'notice'; readonly level: 'info' | 'warn' | 'error'; readonly text: string }
  | { readonly type: 'settingsLoaded'; readonly settings: readonly SettingView[] }
  | { readonly type: 'settingsUnavailable'; readonly text: string }
  | { readonly type: 'settingSaved'; readonly change: SettingChange }
  | { readonly type: 'settingFailed'; readonly key: string; readonly text: string }
  /** The attached engine went away (or came back). */
  | { readonly type: 'engineLink'; readonly lost: boolean };

/** Longest common prefix of completion candidates. */
export function commonPrefix(items: readonly string[]): string {
  const first = items[0];
  if (first === undefined) return '';
  let end = first.length;
  for (const s of items) {
    let i = 0;
    while (i < end && i < s.length && s[i] === first[i]) i++;
    end = i;
  }
  return first.slice(0, end);
}

function baseName(path: string): string {
  const trimmed = path.replace(/[/\\]+$/, '');
  const i = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  return trimmed.slice(i + 1) || trimmed;
}

export function update(state: UiState, action: Action, snapshot: EngineSnapshot, now: number): Transition {
  switch (action.type) {
    case 'key': {
      const dialogs = deriveDialogs(state, snapshot);
      return routeKey(action.key, { state, snapshot, dialogs, now }) ?? stay(state);
    }
    case 'pathChecked': {
      const send = state.send;
      if (!send || send.path !== action.path) return stay(state);
      const checked = { ...send, checking: false, check: { path: action.path, result: action.result } };
      if (!action.submit || !action.result.ok) return stay({ ...state, send: checked });
      const peer = snapshot.peers.find((p) => p.deviceId === send.peerId);
      const to = peer ? `${safeLine(peer.name, 64)} (${peer.shortId})` : 'the peer';
      const next = withNotice({ ...state, mode: 'normal', send: undefined }, 'info', `Sending ${safeLine(baseName(action.path))} to ${to}`, now);
      return { state: next, effects: [{ type: 'sendFiles', peerId: send.peerId, paths: [action.path] }] };
    }
    case 'pathCompleted': {
      const send = state.send;
      if (!send || send.path !== action.path) return stay(state);
      const c = action.candidates;
      if (c.length === 0) return stay({ ...state, send: { ...send, candidates: [], message: 'No matches' } });
      const path = c.length === 1 ? (c[0] ?? send.path) : commonPrefix(c);
      const grows = path.length > send.path.length;
      const nextPath = grows ? path : send.path;
      return {
        state: {
          ...state,
          send: {
            ...send,
            path: nextPath,
            cursor: grows ? nextPath.length : send.cursor,
            candidates: c.length > 1 ? c : [],
            message: undefined,
            checking: grows,
          },
        },
        effects: grows ? [{ type: 'checkPath', path: nextPath, submit: false }] : [],
      };
    }
    case 'notice':
      return stay(withNotice(state, action.level, action.text, now));
    case 'settingsLoaded':
      return settingsLoaded(state, action.settings);
    case 'settingsUnavailable':
      return settingsUnavailable(state, action.text);
    case 'settingSaved':
      return settingSaved(state, action.change);
    case 'settingFailed':
      return settingFailed(state, action.key, action.text);
    case 'engineLink':
      if (Boolean(state.engineLost) === action.lost) return stay(state);
      // Back from a restart: questions asked of the old engine no longer apply.
      return stay(action.lost ? { ...state, engineLost: true } : { ...state, engineLost: false, confirms: [], answered: {}, mode: 'normal' });
  }
}
