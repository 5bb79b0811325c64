/**
 * The keymap: one table of commands that drives key routing, the status bar,
 * the `?` help overlay and the README key table. Labels always show the keys
 * actually bound, so the help can never drift from what the keys do.
 */
import { EDITING_BINDINGS } from './keymap-editing.js';

export * from './keymap-types.js';
import { ALL_CONTEXTS, CATEGORIES, PANE_CONTEXTS, type Binding, type Command, type KeyContext, type KeyName, type KeySpec } from './keymap-types.js';

const PANES: readonly KeyContext[] = PANE_CONTEXTS;
const PEER_PANES: readonly KeyContext[] = ['peers', 'chat'];

export const KEYMAP: readonly Binding[] = [
  {
    command: 'focusNext',
    keys: [{ name: 'tab' }],
    label: 'Tab',
    description: 'Focus the next pane (in settings: the next field)',
    category: 'Navigation',
    where: [...PANES, 'settings-input'],
    status: 'next pane',
    statusIn: { 'settings-input': 'next field' },
    statusPriority: 4,
  },
  {
    command: 'focusPrev',
    keys: [{ name: 'shift-tab' }],
    label: 'Shift-Tab',
    description: 'Focus the previous pane (in settings: the previous field)',
    category: 'Navigation',
    where: [...PANES, 'settings-input'],
  },
  {
    command: 'selectUp',
    keys: [{ name: 'up' }, { char: 'k' }],
    label: '↑ k',
    description: 'Select the previous item (scroll in chat, help and file lists)',
    category: 'Navigation',
    where: [...PANES, 'help', 'dialog'],
  },
  {
    command: 'selectDown',
    keys: [{ name: 'down' }, { char: 'j' }],
    label: '↓ j',
    description: 'Select the next item (scroll in chat, help and file lists)',
    category: 'Navigation',
    where: [...PANES, 'help', 'dialog'],
    status: 'select',
    statusPriority: 5,
    statusKey: '↑↓ jk',
  },
  {
    command: 'send',
    keys: [{ char: 's' }],
    label: 's',
    description: 'Send a file or folder to the selected peer',
    category: 'Peers',
    where: PEER_PANES,
    status: 'send',
    statusPriority: 2,
  },
  {
    command: 'chat',
    keys: [{ char: 'c' }, { name: 'enter' }],
    label: 'c Enter',
    description: 'Write to the selected peer',
    category: 'Peers',
    where: PEER_PANES,
    status: 'chat',
    statusPriority: 2,
  },
  {
    command: 'pair',
    keys: [{ char: 'p' }],
    label: 'p',
    description: 'Pair with the selected unverified peer (compare a 6-digit code)',
    category: 'Peers',
    where: PEER_PANES,
    status: 'pair',
    statusPriority: 3,
  },
  {
    command: 'cancel',
    keys: [{ char: 'x' }],
    label: 'x',
    description: 'Cancel the selected transfer (asks first)',
    category: 'Transfers',
    where: ['transfers'],
    status: 'cancel',
    statusPriority: 2,
    confirm: 'always',
  },
  {
    command: 'retry',
    keys: [{ char: 'r' }],
    label: 'r',
    description: 'Retry the selected queued transfer now',
    category: 'Transfers',
    where: ['transfers'],
    status: 'retry now',
    statusPriority: 3,
  },
  {
    command: 'answerOffer',
    keys: [{ char: 'a' }],
    label: 'a',
    description: 'Bring back an incoming offer put aside with Esc, to answer it',
    category: 'Transfers',
    where: PANES,
  },
  {
    command: 'submit',
    keys: [{ name: 'enter' }],
    label: 'Enter',
    description: 'Send the message or the file being typed; save the setting being edited',
    category: 'Input',
    where: ['chat-input', 'send-input', 'settings-input'],
    status: 'send',
    statusIn: { 'settings-input': 'save' },
    statusPriority: 1,
  },
  {
    command: 'complete',
    keys: [{ name: 'tab' }],
    label: 'Tab',
    description: 'Complete the path',
    category: 'Input',
    where: ['send-input'],
    status: 'complete',
    statusPriority: 2,
  },
  ...EDITING_BINDINGS,
  {
    command: 'yes',
    keys: [{ char: 'y' }],
    label: 'y',
    description: 'Answer yes to the dialog in front (accept, confirm)',
    category: 'Dialogs',
    where: ['dialog'],
    status: 'yes',
    statusPriority: 1,
  },
  {
    command: 'no',
    keys: [{ char: 'n' }],
    label: 'n',
    description: 'Answer no to the dialog in front (deny, keep)',
    category: 'Dialogs',
    where: ['dialog'],
    status: 'no',
    statusPriority: 1,
  },
  {
    command: 'help',
    keys: [{ char: '?' }],
    label: '?',
    description: 'Show or hide the key help',
    category: 'General',
    where: [...PANES, 'help'],
    status: 'help',
    statusPriority: 0,
  },
  {
    command: 'close',
    keys: [{ name: 'escape' }],
    label: 'Esc',
    description: 'Close help, an input, the settings or a dialog (an offer waits: a brings it back)',
    category: 'General',
    where: ['help', 'chat-input', 'send-input', 'settings-input', 'dialog'],
    status: 'close',
    statusPriority: 1,
  },
  {
    command: 'quit',
    keys: [{ char: 'q' }],
    label: 'q',
    description: 'Quit, stopping the engine (asks first while busy)',
    category: 'General',
    where: [...PANES, 'help', 'engine-lost'],
    status: 'quit',
    statusPriority: 1,
    confirm: 'when-busy',
  },
  {
    command: 'detach',
    keys: [{ char: 'd' }],
    label: 'd',
    description: 'Detach: leave, the engine keeps running',
    category: 'General',
    where: [...PANES, 'help', 'dialog'],
    status: 'detach',
    remoteOnly: true,
  },
  {
    command: 'settings',
    keys: [{ char: 'o' }],
    label: 'o',
    description: "Settings: edit this peer's name and downloads folder (saved, used at once)",
    category: 'General',
    where: PANES,
    status: 'settings',
    statusPriority: 4,
  },
  {
    command: 'startEngine',
    keys: [{ char: 's' }],
    label: 's',
    description: 'Start the engine again after it stopped',
    category: 'General',
    where: ['engine-lost'],
    status: 'start engine',
  },
  {
    command: 'forceQuit',
    keys: [{ name: 'ctrl-c' }],
    label: 'Ctrl-C',
    description: 'Quit now, from anywhere',
    category: 'General',
    where: ALL_CONTEXTS,
  },
];

const BY_COMMAND = new Map(KEYMAP.map((b) => [b.command, b]));

export function binding(command: Command): Binding {
  const b = BY_COMMAND.get(command);
  if (!b) throw new Error(`no binding for ${command}`);
  return b;
}

/** A key press decoded from terminal input (key-decoder.ts); `paste` is one bracketed paste. */
export type KeyPress = { readonly name: KeyName } | { readonly char: string } | { readonly paste: string } | { readonly other: true };

function specMatches(spec: KeySpec, key: KeyPress): boolean {
  if ('name' in spec) return 'name' in key && key.name === spec.name;
  return 'char' in key && key.char === spec.char;
}

/** The command bound to `key` in `context`, if any. */
export function commandFor(context: KeyContext, key: KeyPress): Command | undefined {
  for (const b of KEYMAP) {
    if (!b.where.includes(context)) continue;
    if (b.keys.some((k) => specMatches(k, key))) return b.command;
  }
  return undefined;
}

export const STATUS_PRIORITY_DEFAULT = 5;

/** Bindings to show in the status bar for a context, in table order. */
export function statusBindings(context: KeyContext, remote = false): Binding[] {
  return KEYMAP.filter((b) => b.status !== undefined && b.where.includes(context) && (remote || !b.remoteOnly));
}

const CONTEXT_NAMES: Record<KeyContext, string> = {
  peers: 'Peers',
  transfers: 'Transfers',
  chat: 'Chat',
  'chat-input': 'chat input',
  'send-input': 'send input',
  'settings-input': 'settings',
  help: 'help',
  dialog: 'dialogs',
  'engine-lost': 'engine stopped',
};

/** "Where" column wording for help and README. */
export function whereText(b: Binding): string {
  const set = new Set(b.where);
  if (ALL_CONTEXTS.every((c) => set.has(c))) return 'anywhere';
  const panes = PANE_CONTEXTS.filter((c) => set.has(c));
  const parts: string[] = [];
  if (panes.length === PANE_CONTEXTS.length) parts.push('any pane');
  else if (panes.length > 0) parts.push(`${panes.map((c) => CONTEXT_NAMES[c]).join(', ')} pane${panes.length > 1 ? 's' : ''}`);
  for (const c of b.where) if (!(PANE_CONTEXTS as readonly string[]).includes(c)) parts.push(CONTEXT_NAMES[c]);
  return parts.join(', ');
}

/** The README key table (between `<!-- keys:start -->` and `<!-- keys:end -->`). */
export function keyTableMarkdown(): string {
  const lines = ['| Key | Action | Where |', '|---|---|---|'];
  for (const category of CATEGORIES) {
    for (const b of KEYMAP.filter((x) => x.category === category)) {
      const keys = b.label
        .split(' ')
        .map((k) => `\`${k}\``)
        .join(' ');
      lines.push(`| ${keys} | ${b.description} | ${whereText(b)} |`);
    }
  }
  return lines.join('\n');
}

/** The byte sequence a terminal sends for a key spec (for tests and the e2e driver). */
export function keySequence(spec: KeySpec): string {
  if ('char' in spec) return spec.char;
  switch (spec.name) {
    case 'tab':
      return '\t';
    case 'shift-tab':
      return '\x1b[Z';
    case 'up':
      return '\x1b[A';
    case 'down':
      return '\x1b[B';
    case 'enter':
      return '\r';
    case 'escape':
      return '\x1b';
    case 'ctrl-c':
      return '\x03';
    case 'left':
      return '\x1b[D';
    case 'right':
      return '\x1b[C';
    case 'home':
      return '\x1b[H';
    case 'end':
      return '\x1b[F';
    case 'backspace':
      return '\x7f';
    case 'delete':
      return '\x1b[3~';
    case 'ctrl-a':
      return '\x01';
    case 'ctrl-e':
      return '\x05';
    case 'ctrl-u':
      return '\x15';
    case 'ctrl-w':
      return '\x17';
  }
}
