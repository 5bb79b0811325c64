/**
 * The settings dialog: one line per setting (settings-edit.ts), the selected
 * one editable, and what the engine said about the last change.
 */
import { Text } from 'ink';
import { binding } from '../keymap.js';
import type { Rect } from '../layout.js';
import { safeLine } from '../safe.js';
import { settingLabel } from '../settings-edit.js';
import { seg } from '../text.js';
import { useTheme } from '../theme.js';
import type { SettingsState } from '../ui-state.js';
import { LineInput } from './LineInput.js';
import { Overlay } from './Overlay.js';
import { RowLine } from './Rows.js';

const LABEL_WIDTH = 13;

export function SettingsDialog({ rect, settings }: { rect: Rect; settings: SettingsState }) {
  const theme = useTheme();
  const inner = rect.width - 2;
  const keys = `${binding('focusNext').label} next · ${binding('submit').label} saves · ${binding('close').label} closes`;
  const message = settings.loading ? { tone: 'muted' as const, text: '… reading the settings' } : settings.message;
  return (
    <Overlay rect={rect} title="Settings" gutter>
      {settings.fields.map((f, i) => {
        const selected = i === settings.index;
        const label = `${selected ? '›' : ' '} ${settingLabel(f.key)}:`.padEnd(LABEL_WIDTH);
        return (
          <Text key={f.key} wrap="truncate-end">
            <Text bold={selected} color={theme.tone(selected ? 'accent' : 'muted')}>
              {label}
            </Text>
            {selected ? <LineInput line={f.line} width={Math.max(1, inner - LABEL_WIDTH)} /> : safeLine(f.line.text, inner)}
          </Text>
        );
      })}
      <Text> </Text>
      {message ? <RowLine row={{ segments: [seg(message.text, message.tone, message.tone === 'error')] }} width={inner} /> : <Text> </Text>}
      <RowLine row={{ segments: [seg(keys, 'muted')] }} width={inner} />
    </Overlay>
  );
}
