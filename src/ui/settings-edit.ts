/**
 * The settings dialog (key `o`): the name and the downloads folder, each a
 * line to edit, saved with Enter through the engine (EngineHandle.setSetting,
 * the same settings service `peerdeck config set` uses). Pure: the engine's
 * answers come back as actions (ui-update.ts). A refused value keeps what was
 * typed and shows the typed error's message.
 */
import type { SettingChange, SettingView } from '../core/engine-api.js';
import { type LineEdit, applyEdit } from './line-editor.js';
import { safeLine } from './safe.js';
import { type SettingsField, type SettingsState, type Transition, type UiState, stay } from './ui-state.js';

/** The settings the dialog edits, in order. */
export const DIALOG_SETTINGS = ['name', 'downloads'] as const;
const LABELS: Record<string, string> = { name: 'Name', downloads: 'Downloads' };
const MAX_SETTING_CHARS = 4096;

export function settingLabel(key: string): string {
  return LABELS[key] ?? key;
}

export function openSettings(state: UiState): Transition {
  const settings: SettingsState = { fields: [], index: 0, loading: true };
  return { state: { ...state, mode: 'settings', settings }, effects: [{ type: 'loadSettings' }] };
}

export function settingsLoaded(state: UiState, views: readonly SettingView[]): Transition {
  if (state.mode !== 'settings' || !state.settings) return stay(state);
  const fields: SettingsField[] = [];
  for (const key of DIALOG_SETTINGS) {
    const v = views.find((s) => s.key === key);
    if (v) fields.push({ key, summary: v.summary, saved: v.text, line: { text: v.text, cursor: v.text.length } });
  }
  return stay({ ...state, settings: { ...state.settings, fields, loading: false, message: undefined } });
}

export function settingsUnavailable(state: UiState, text: string): Transition {
  if (state.mode !== 'settings' || !state.settings) return stay(state);
  return stay({ ...state, settings: { ...state.settings, loading: false, message: { tone: 'error', text: safeLine(text) } } });
}

export function moveSettingsField(state: UiState, delta: number): Transition {
  const s = state.settings;
  if (!s || s.fields.length === 0) return stay(state);
  const index = Math.max(0, Math.min(s.fields.length - 1, s.index + delta));
  return index === s.index ? stay(state) : stay({ ...state, settings: { ...s, index } });
}

export function editSettings(state: UiState, edit: LineEdit): Transition {
  const s = state.settings;
  const field = s?.fields[s.index];
  if (!s || !field || s.saving) return stay(state);
  const line = applyEdit(field.line, edit, MAX_SETTING_CHARS);
  if (line === field.line) return stay(state);
  const fields = s.fields.map((f, i) => (i === s.index ? { ...f, line } : f));
  return stay({ ...state, settings: { ...s, fields, message: undefined } });
}

export function submitSetting(state: UiState): Transition {
  const s = state.settings;
  const field = s?.fields[s.index];
  if (!s || !field || s.saving) return stay(state);
  return {
    state: { ...state, settings: { ...s, saving: field.key, message: { tone: 'muted', text: `Saving ${settingLabel(field.key).toLowerCase()}…` } } },
    effects: [{ type: 'setSetting', key: field.key, text: field.line.text }],
  };
}

const APPLIED: Record<SettingChange['applied'], string> = {
  now: 'saved, in use now',
  restart: 'saved, takes effect when the engine restarts',
  overridden: 'saved; a flag or environment variable wins until the engine restarts',
  saved: 'saved',
};

export function settingSaved(state: UiState, change: SettingChange): Transition {
  const s = state.settings;
  if (!s) return stay(state);
  const fields = s.fields.map((f) => (f.key === change.key ? { ...f, saved: change.text, line: { text: change.text, cursor: change.text.length } } : f));
  const text = `✓ ${settingLabel(change.key)} ${APPLIED[change.applied]}`;
  return stay({ ...state, settings: { ...s, fields, saving: undefined, message: { tone: 'ok', text } } });
}

export function settingFailed(state: UiState, key: string, text: string): Transition {
  const s = state.settings;
  if (!s || s.saving !== key) return stay(state);
  return stay({ ...state, settings: { ...s, saving: undefined, message: { tone: 'error', text: `✗ ${safeLine(text)}` } } });
}

export function closeSettings(state: UiState): Transition {
  return stay({ ...state, mode: 'normal', settings: undefined });
}
