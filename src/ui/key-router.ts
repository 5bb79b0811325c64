/**
 * Key routing by priority (the gemini-cli pattern): handlers are asked in
 * order and the first one that returns a transition consumes the key.
 *   1. critical: Ctrl-C quits from anywhere, and nothing else runs while closing;
 *   2. modal layers (text input, dialog in front, help) take every key, bound or not,
 *      so nothing leaks to the panes behind them;
 *   3. the focused pane.
 * A text input outranks a dialog: a request arriving while the user types is
 * queued behind the input, so a typed `y` can never accept a pairing or a file.
 */
import type { EngineSnapshot } from '../core/engine-api.js';
import { type KeyContext, type KeyPress, commandFor } from './keymap.js';
import type { Dialog } from './dialogs.js';
import { runCommand } from './commands.js';
import { editInput, textEdit } from './input-edit.js';
import { type Transition, type UiState, stay } from './ui-state.js';

/** Which layer is in front. */
export function keyContext(state: Pick<UiState, 'mode' | 'focus' | 'engineLost'>, dialogs: readonly Dialog[]): KeyContext {
  if (state.engineLost) return 'engine-lost';
  if (state.mode === 'chat') return 'chat-input';
  if (state.mode === 'send') return 'send-input';
  if (state.mode === 'settings') return 'settings-input';
  if (dialogs.length > 0) return 'dialog';
  if (state.mode === 'help') return 'help';
  return state.focus;
}

export interface RouteCtx {
  readonly state: UiState;
  readonly snapshot: EngineSnapshot;
  readonly dialogs: readonly Dialog[];
  readonly now: number;
}

/** Returns a transition to consume the key, or undefined to pass it on. */
type KeyHandler = (key: KeyPress, ctx: RouteCtx) => Transition | undefined;

const MODAL: readonly KeyContext[] = ['engine-lost', 'chat-input', 'send-input', 'settings-input', 'dialog', 'help'];

const critical: KeyHandler = (key, ctx) => {
  if ('name' in key && key.name === 'ctrl-c') {
    return runCommand('forceQuit', { ...ctx, context: keyContext(ctx.state, ctx.dialogs) });
  }
  if (ctx.state.closing) return stay(ctx.state);
  return undefined;
};

const modal: KeyHandler = (key, ctx) => {
  const context = keyContext(ctx.state, ctx.dialogs);
  if (!MODAL.includes(context)) return undefined;
  const command = commandFor(context, key);
  if (command) return runCommand(command, { ...ctx, context });
  // Unbound keys stop here: text goes into the input, nothing reaches the panes.
  const edit = context === 'chat-input' || context === 'send-input' || context === 'settings-input' ? textEdit(key) : undefined;
  return edit ? editInput(ctx.state, ctx.snapshot, edit) : stay(ctx.state);
};

const pane: KeyHandler = (key, ctx) => {
  const context = ctx.state.focus;
  const command = commandFor(context, key);
  return command ? runCommand(command, { ...ctx, context }) : undefined;
};

const CHAIN: readonly KeyHandler[] = [critical, modal, pane];

export function routeKey(key: KeyPress, ctx: RouteCtx): Transition | undefined {
  for (const handler of CHAIN) {
    const t = handler(key, ctx);
    if (t) return t;
  }
  return undefined;
}
