/**
 * Entering and leaving the full-screen terminal mode. Ink 6 has no
 * alternate-screen option, so we switch ourselves: alternate screen, cursor
 * hidden, autowrap off (an over-wide line is clipped instead of wrapping into
 * the next row or scrolling the screen), bracketed paste on. `restore` undoes all of it, is safe
 * to call from every exit path, and does its work only once.
 */

export const ENTER_SEQUENCE =
  '\x1b[?1049h' + // alternate screen (saves the cursor and the main screen)
  '\x1b[?25l' + // hide cursor
  '\x1b[?7l' + // autowrap off
  '\x1b[?2004h' + // bracketed paste: a paste arrives as one ESC[200~ … ESC[201~ (key-decoder.ts)
  '\x1b[H\x1b[2J'; // home, clear

export const LEAVE_SEQUENCE =
  '\x1b[?2026l' + // end a synchronized update we may have been cut off in
  '\x1b[0m' + // reset colours
  '\x1b[?2004l' + // bracketed paste off: the shell gets plain pastes again
  '\x1b[?7h' + // autowrap on
  '\x1b[?25h' + // show cursor
  '\x1b[?1049l'; // back to the main screen, cursor restored

export interface SessionOut {
  write(chunk: string): unknown;
}

export interface SessionIn {
  readonly isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

export interface TerminalSession {
  enter(): void;
  /** Idempotent; never throws (the terminal may already be gone). */
  restore(): void;
  readonly active: boolean;
}

export function createTerminalSession(out: SessionOut, input?: SessionIn): TerminalSession {
  let entered = false;
  let restored = false;
  const write = (s: string) => {
    try {
      out.write(s);
    } catch {
      // EIO / EPIPE after a hang-up: nothing left to restore on that side.
    }
  };
  return {
    enter() {
      if (entered) return;
      entered = true;
      write(ENTER_SEQUENCE);
    },
    restore() {
      if (!entered || restored) return;
      restored = true;
      try {
        if (input?.isTTY) input.setRawMode?.(false);
      } catch {
        // ignore: stdin may be closed
      }
      write(LEAVE_SEQUENCE);
    },
    get active() {
      return entered && !restored;
    },
  };
}
