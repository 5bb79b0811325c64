/**
 * Key input for the dashboard: every raw input string Ink reads from stdin
 * goes through our own decoder (key-decoder.ts), so a chunk holding several
 * keys ("hello wor\x7f\x7frld", a paste, Enter) is handled key by key, in order.
 *
 * Ink 6 has no public raw-input hook: useInput parses each string into one
 * (input, key) pair, which loses every key after the first. We listen on the
 * same event Ink's useInput listens on (StdinContext's event emitter, typed
 * in ink/build/components/StdinContext.d.ts) and turn on raw mode as
 * useInput does. Ink's own parser has already split off escape sequences and
 * waited for the rest of a lone ESC, so whatever is left unfinished after a
 * string (outside a paste) is flushed at once.
 */
import { useEffect, useRef } from 'react';
import { useStdin } from 'ink';
import { createKeyDecoder } from './key-decoder.js';
import type { KeyPress } from './keymap.js';

export function useKeys(onKeys: (keys: readonly KeyPress[]) => void): void {
  const { setRawMode, internal_eventEmitter: events } = useStdin();
  const handler = useRef(onKeys);
  handler.current = onKeys;

  useEffect(() => {
    setRawMode(true);
    return () => setRawMode(false);
  }, [setRawMode]);

  useEffect(() => {
    const decoder = createKeyDecoder();
    const onInput = (raw: string): void => {
      const keys = [...decoder.push(raw), ...decoder.flush()];
      if (keys.length > 0) handler.current(keys);
    };
    events.on('input', onInput);
    return () => {
      events.off('input', onInput);
    };
  }, [events]);
}
