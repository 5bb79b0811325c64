/** Process exit codes, one table for every command (the README prints it). */
export const ExitCode = {
  OK: 0,
  RUNTIME: 1,
  USAGE: 2,
  DENIED: 3,
  UNREACHABLE: 4,
  VERIFICATION: 5,
  SIGHUP: 129,
  SIGINT: 130,
  SIGPIPE: 141,
  SIGTERM: 143,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODE_TABLE: ReadonlyArray<{ code: number; meaning: string }> = [
  { code: ExitCode.OK, meaning: 'done' },
  { code: ExitCode.RUNTIME, meaning: 'runtime error (I/O, corrupt identity, engine failure)' },
  { code: ExitCode.USAGE, meaning: 'usage: unknown command or flag, bad value, ambiguous peer, not a terminal' },
  { code: ExitCode.DENIED, meaning: 'denied by the peer (pairing rejected, offer refused)' },
  { code: ExitCode.UNREACHABLE, meaning: 'peer unreachable (the work is queued where that applies)' },
  { code: ExitCode.VERIFICATION, meaning: 'verification failed (pairing code mismatch, checksum, changed certificate)' },
  { code: ExitCode.SIGHUP, meaning: 'hung up (SIGHUP: the terminal or SSH link went away)' },
  { code: ExitCode.SIGINT, meaning: 'interrupted (SIGINT, Ctrl-C)' },
  { code: ExitCode.SIGPIPE, meaning: 'output closed (the reader went away, as in `| head -1`)' },
  { code: ExitCode.SIGTERM, meaning: 'terminated (SIGTERM)' },
];
