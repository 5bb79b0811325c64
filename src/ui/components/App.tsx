/**
 * The dashboard root: owns the UI state, routes every key through the pure
 * `update` reducer, runs the effects it returns against the engine, and picks
 * the layout (or the "too small" notice) for the size it is given.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { TimerHandle } from '../../core/clock.js';
import type { EngineSnapshot } from '../../core/engine-api.js';
import { type Dialog, deriveDialogs } from '../dialogs.js';
import { commandFor } from '../keymap.js';
import { keyContext } from '../key-router.js';
import { useKeys } from '../use-keys.js';
import { type LayoutMode, computeLayout } from '../layout.js';
import { type Action, update } from '../ui-update.js';
import { type Effect, type QuitReason, initialUiState } from '../ui-state.js';
import { useDashboardEnv, useEngine } from '../use-engine.js';
import { useLink } from '../use-link.js';
import { Dashboard } from './Dashboard.js';
import { EngineLost } from './EngineLost.js';
import { TooSmall } from './TooSmall.js';

/** Wait this long after the last keystroke before asking the engine about a path. */
export const PATH_CHECK_DEBOUNCE_MS = 150;

export interface AppProps {
  readonly columns: number;
  readonly rows: number;
  /** Called once the user asked to leave; the caller shuts down and restores the terminal. */
  readonly onQuit: (reason: QuitReason) => void;
}

function sameDialogs(a: readonly Dialog[], b: readonly Dialog[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((d, i) => {
    const e = b[i];
    if (!e || e.key !== d.key || e.kind !== d.kind) return false;
    switch (d.kind) {
      case 'pairing':
        return e.kind === 'pairing' && e.pairing === d.pairing && e.waiting === d.waiting;
      case 'offer':
        return e.kind === 'offer' && e.offer === d.offer;
      case 'confirm-cancel':
        return e.kind === 'confirm-cancel' && e.transfer === d.transfer;
      case 'confirm-quit':
        return e.kind === 'confirm-quit' && e.running === d.running && e.stopEngine?.peers === d.stopEngine?.peers;
    }
  });
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function App({ columns, rows, onQuit }: AppProps) {
  const { engine, store, clock } = useDashboardEnv();
  const [state, setState] = useState(() => (engine.isRemote ? { ...initialUiState, remote: true } : initialUiState));
  const stateRef = useRef(state);
  const debounce = useRef<TimerHandle | undefined>(undefined);
  const dispatchRef = useRef<(a: Action) => void>(() => undefined);

  const runEffect = useCallback(
    (e: Effect): void => {
      const fail = (what: string) => (err: unknown) => dispatchRef.current({ type: 'notice', level: 'error', text: `${what}: ${errorText(err)}` });
      const sync = (what: string, f: () => void) => {
        try {
          f();
        } catch (err) {
          fail(what)(err);
        }
      };
      switch (e.type) {
        case 'sendChat':
          engine.sendChat(e.peerId, e.text).catch(fail('Message not sent'));
          return;
        case 'sendFiles':
          engine.sendFiles(e.peerId, e.paths).catch(fail('Could not send'));
          return;
        case 'checkPath': {
          clock.clearTimeout(debounce.current);
          const check = () =>
            engine.checkPath(e.path).then(
              (result) => dispatchRef.current({ type: 'pathChecked', path: e.path, result, submit: e.submit }),
              (err: unknown) => dispatchRef.current({ type: 'pathChecked', path: e.path, result: { ok: false, reason: errorText(err) }, submit: false }),
            );
          if (e.submit) void check();
          else debounce.current = clock.setTimeout(() => void check(), PATH_CHECK_DEBOUNCE_MS);
          return;
        }
        case 'completePath':
          engine.completePath(e.path).then(
            (candidates) => dispatchRef.current({ type: 'pathCompleted', path: e.path, candidates }),
            fail('Completion failed'),
          );
          return;
        case 'startPairing':
          engine.startPairing(e.peerId).catch(fail('Pairing failed'));
          return;
        case 'answerPairing':
          sync('Pairing answer failed', () => engine.answerPairing(e.id, e.accept));
          return;
        case 'answerOffer':
          sync('Answer failed', () => engine.answerOffer(e.id, e.accept));
          return;
        case 'cancelTransfer':
          sync('Cancel failed', () => engine.cancelTransfer(e.id));
          return;
        case 'retryNow':
          sync('Retry failed', () => engine.retryNow(e.id));
          return;
        case 'quit':
          onQuit(e.reason);
          return;
        case 'loadSettings':
          if (!engine.settings) dispatchRef.current({ type: 'settingsUnavailable', text: 'This engine keeps no settings' });
          else
            engine.settings().then(
              (settings) => dispatchRef.current({ type: 'settingsLoaded', settings }),
              (err: unknown) => dispatchRef.current({ type: 'settingsUnavailable', text: errorText(err) }),
            );
          return;
        case 'setSetting':
          if (!engine.setSetting) dispatchRef.current({ type: 'settingFailed', key: e.key, text: 'This engine keeps no settings' });
          else
            engine.setSetting(e.key, e.text).then(
              (change) => dispatchRef.current({ type: 'settingSaved', change }),
              (err: unknown) => dispatchRef.current({ type: 'settingFailed', key: e.key, text: errorText(err) }),
            );
          return;
        case 'startEngine':
          // A failure shows on the "engine stopped" screen (lostReason).
          engine.restart?.().catch(() => undefined);
          return;
      }
    },
    [engine, clock, onQuit],
  );

  const dispatch = useCallback(
    (action: Action): void => {
      const t = update(stateRef.current, action, store.getSnapshot(), clock.now());
      if (t.state !== stateRef.current) {
        stateRef.current = t.state;
        setState(t.state);
      }
      for (const e of t.effects) runEffect(e);
    },
    [store, clock, runEffect],
  );
  dispatchRef.current = dispatch;

  const link = useLink(engine);
  useEffect(() => dispatch({ type: 'engineLink', lost: link !== 'attached' }), [link, dispatch]);

  const selectDialogs = useCallback(
    (s: EngineSnapshot) => deriveDialogs({ confirms: state.confirms, answered: state.answered, hiddenOffers: state.hiddenOffers }, s),
    [state.confirms, state.answered, state.hiddenOffers],
  );
  const dialogs = useEngine(selectDialogs, sameDialogs);
  const context = keyContext(state, dialogs);
  const mode: LayoutMode =
    context === 'chat-input' ? 'chat' : context === 'send-input' ? 'send' : context === 'dialog' || context === 'settings-input' ? 'dialog' : context === 'help' ? 'help' : 'normal';
  const layout = useMemo(() => computeLayout({ columns, rows, focus: state.focus, mode }), [columns, rows, state.focus, mode]);
  const fits = layout.fits;

  const dialogsRef = useRef(dialogs);
  dialogsRef.current = dialogs;
  useKeys((keys) => {
    for (const press of keys) {
      if (!fits) {
        // Nothing can be seen: only leaving works (and answering "quit anyway?", which the notice shows).
        const front = dialogsRef.current[0];
        const cmd = commandFor(keyContext(stateRef.current, dialogsRef.current), press);
        const answersQuit = front?.kind === 'confirm-quit' && (cmd === 'yes' || cmd === 'no' || cmd === 'close');
        if (cmd !== 'forceQuit' && cmd !== 'quit' && !answersQuit) continue;
      }
      dispatch({ type: 'key', key: press });
    }
  });

  if (link !== 'attached') {
    return <EngineLost columns={columns} rows={rows} link={link} reason={engine.lostReason?.()} canRestart={engine.restart !== undefined} />;
  }
  if (!layout.fits) return <TooSmall layout={layout} askQuit={dialogs[0]?.kind === 'confirm-quit'} />;
  return <Dashboard layout={layout} state={state} dialogs={dialogs} context={context} />;
}
