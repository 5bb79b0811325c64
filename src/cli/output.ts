/**
 * Printing for headless commands. Text that may come from peers goes through
 * the terminal-safe helper on screen, and `toJsonSafe` in --json mode, so it
 * stays exact but inert.
 */
import { toJsonSafe, toTerminalSafe } from '../protocol/terminal-safe.js';

export interface Output {
  /** One JSON event per line (in --json mode) — `type` first. */
  event(type: string, fields: Record<string, unknown>): void;
  /** A human line (not printed in --json mode). */
  line(text: string): void;
  /** An error line on stderr, or an `error` event in --json mode. */
  error(code: string, message: string): void;
  readonly json: boolean;
}

export function createOutput(json: boolean, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Output {
  return {
    json,
    event(type, fields) {
      if (json) stdout.write(`${toJsonSafe({ type, ...fields })}\n`);
    },
    line(text) {
      if (!json) stdout.write(`${text}\n`);
    },
    error(code, message) {
      if (json) stdout.write(`${toJsonSafe({ type: 'error', code, message })}\n`);
      else stderr.write(`peerdeck: ${toTerminalSafe(message)}\n`);
    },
  };
}

/** Neutralise a peer-supplied string for the terminal. */
export const safe = (s: string): string => toTerminalSafe(s);
