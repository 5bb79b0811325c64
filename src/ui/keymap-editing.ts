/**
 * The line-editing keys of the chat, send and settings inputs (line-editor.ts), part
 * of the one keymap table (keymap.ts spreads them in), so they show in `?`,
 * the README key list, and are routed like every other key.
 */
import type { Binding, KeyContext } from './keymap-types.js';

const INPUTS: readonly KeyContext[] = ['chat-input', 'send-input', 'settings-input'];

export const EDITING_BINDINGS: readonly Binding[] = [
  {
    command: 'cursorLeft',
    keys: [{ name: 'left' }],
    label: '←',
    description: 'Move the cursor left',
    category: 'Input',
    where: INPUTS,
  },
  {
    command: 'cursorRight',
    keys: [{ name: 'right' }],
    label: '→',
    description: 'Move the cursor right',
    category: 'Input',
    where: INPUTS,
  },
  {
    command: 'lineStart',
    keys: [{ name: 'home' }, { name: 'ctrl-a' }],
    label: 'Home Ctrl-A',
    description: 'Move to the start of the line',
    category: 'Input',
    where: INPUTS,
  },
  {
    command: 'lineEnd',
    keys: [{ name: 'end' }, { name: 'ctrl-e' }],
    label: 'End Ctrl-E',
    description: 'Move to the end of the line',
    category: 'Input',
    where: INPUTS,
  },
  {
    command: 'deleteBack',
    keys: [{ name: 'backspace' }],
    label: 'Backspace',
    description: 'Delete the character before the cursor',
    category: 'Input',
    where: INPUTS,
  },
  {
    command: 'deleteForward',
    keys: [{ name: 'delete' }],
    label: 'Del',
    description: 'Delete the character under the cursor',
    category: 'Input',
    where: INPUTS,
  },
  {
    command: 'deleteWord',
    keys: [{ name: 'ctrl-w' }],
    label: 'Ctrl-W',
    description: 'Delete the word before the cursor',
    category: 'Input',
    where: INPUTS,
  },
  {
    command: 'clearLine',
    keys: [{ name: 'ctrl-u' }],
    label: 'Ctrl-U',
    description: 'Clear the line',
    category: 'Input',
    where: INPUTS,
  },
];
