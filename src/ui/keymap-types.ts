/**
 * The shapes of the one keymap table (keymap.ts): contexts, key names, commands
 * and bindings. Split out so the parts of the table (keymap-editing.ts) can be
 * typed without importing the table itself.
 */
/** Where a key is live. Panes are the three focusable panes; the rest are modes. */
export type KeyContext = 'peers' | 'transfers' | 'chat' | 'chat-input' | 'send-input' | 'settings-input' | 'help' | 'dialog' | 'engine-lost';

export const PANE_CONTEXTS = ['peers', 'transfers', 'chat'] as const;
export const ALL_CONTEXTS: readonly KeyContext[] = ['peers', 'transfers', 'chat', 'chat-input', 'send-input', 'settings-input', 'help', 'dialog', 'engine-lost'];

export type KeyName =
  | 'tab'
  | 'shift-tab'
  | 'up'
  | 'down'
  | 'enter'
  | 'escape'
  | 'ctrl-c'
  | 'left'
  | 'right'
  | 'home'
  | 'end'
  | 'backspace'
  | 'delete'
  | 'ctrl-a'
  | 'ctrl-e'
  | 'ctrl-u'
  | 'ctrl-w';

/** A single key: a named key or one printable character (case-sensitive). */
export type KeySpec = { readonly name: KeyName } | { readonly char: string };

export type Command =
  | 'focusNext'
  | 'focusPrev'
  | 'selectUp'
  | 'selectDown'
  | 'send'
  | 'chat'
  | 'pair'
  | 'cancel'
  | 'retry'
  | 'answerOffer'
  | 'submit'
  | 'complete'
  | 'cursorLeft'
  | 'cursorRight'
  | 'lineStart'
  | 'lineEnd'
  | 'deleteBack'
  | 'deleteForward'
  | 'deleteWord'
  | 'clearLine'
  | 'yes'
  | 'no'
  | 'help'
  | 'close'
  | 'quit'
  | 'detach'
  | 'settings'
  | 'startEngine'
  | 'forceQuit';

export type Category = 'Navigation' | 'Peers' | 'Transfers' | 'Input' | 'Dialogs' | 'General';
export const CATEGORIES: readonly Category[] = ['Navigation', 'Peers', 'Transfers', 'Input', 'Dialogs', 'General'];

export interface Binding {
  readonly command: Command;
  readonly keys: readonly KeySpec[];
  /** How the keys are written in help, README and status bar. */
  readonly label: string;
  readonly description: string;
  readonly category: Category;
  readonly where: readonly KeyContext[];
  /** Short text for the status bar; absent = not shown there. */
  readonly status?: string;
  /** Status-bar text in particular contexts, where `status` would say the wrong thing. */
  readonly statusIn?: Partial<Record<KeyContext, string>>;
  /** Key label for the status bar when it differs from `label` (e.g. one entry for ↑ and ↓). */
  readonly statusKey?: string;
  /**
   * Which status entries stay when the line is short: lower first (0 is
   * always shown). Absent: STATUS_PRIORITY_DEFAULT.
   */
  readonly statusPriority?: number;
  /**
   * `always`: asks for confirmation first; `when-busy`: asks only while
   * transfers are running (quit). Absent: acts at once.
   */
  readonly confirm?: 'always' | 'when-busy';
  /** Only in the status bar of a dashboard attached to an engine in another process. */
  readonly remoteOnly?: boolean;
}
