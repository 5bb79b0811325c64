/**
 * A private tmux server for end-to-end tests of the real dashboard: start
 * programs in sessions of a fixed size, type with send-keys, read the screen
 * with capture-pane.
 */
import { execFileSync, spawnSync } from 'node:child_process';

export function hasTmux(): boolean {
  const r = spawnSync('tmux', ['-V']);
  if (r.error && (r.error as NodeJS.ErrnoException).code !== 'ENOENT') throw r.error;
  return r.status === 0;
}

export class Tmux {
  readonly socket = `peerdeck-e2e-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  /** Start `command` (a shell command line) in a new detached session. */
  start(name: string, command: string, size = { columns: 100, rows: 30 }): void {
    this.tmux('new-session', '-d', '-s', name, '-x', String(size.columns), '-y', String(size.rows), command);
    // Keep the pane after the program exits, so its last screen and status can be read.
    this.tmux('set-option', '-t', name, 'remain-on-exit', 'on');
  }

  /** Send keys: plain strings are typed literally; names like Enter, Escape, C-c are keys. */
  keys(name: string, ...keys: string[]): void {
    for (const k of keys) {
      if (/^(Enter|Escape|Tab|BTab|Up|Down|Left|Right|BSpace|C-[a-z])$/.test(k)) this.tmux('send-keys', '-t', name, k);
      else this.tmux('send-keys', '-t', name, '-l', k);
    }
  }

  /**
   * Send several keys with one send-keys, so they reach the program in one
   * write (as over SSH): strings that are not key names are typed literally.
   */
  burst(name: string, ...keys: string[]): void {
    this.tmux('send-keys', '-t', name, ...keys);
  }

  /** Paste `text` as a terminal does: bracketed when the program asked for it (paste-buffer -p). */
  paste(name: string, text: string): void {
    this.tmux('set-buffer', '-b', 'e2e', '--', text);
    this.tmux('paste-buffer', '-p', '-d', '-b', 'e2e', '-t', name);
  }

  screen(name: string): string {
    return this.tmux('capture-pane', '-p', '-t', name);
  }

  /** Poll the screen until `pattern` matches; returns the match. */
  async waitFor(name: string, pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const last = this.screen(name);
      const m = last.match(pattern);
      if (m) return m;
      if (Date.now() > end) throw new Error(`timed out waiting for ${pattern} in ${name}; screen:\n${last}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  kill(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server']);
  }
}
