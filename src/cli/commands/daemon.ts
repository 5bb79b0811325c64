import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import type { Command, CommandContext } from '../command.js';
import { createOutput } from '../output.js';
import { formatEvent } from '../event-format.js';
import { untilSignal } from '../signals.js';
import { ExitCode } from '../exit-codes.js';
import { errorCodeOf, errorMessageOf, exitCodeFor } from '../error-exit.js';
import { prepareConfigDir } from '../../core/config-dir.js';
import { LogCap, daemonLogPath, rotateIfFull } from '../../core/daemon/daemon-log.js';
import { EngineError } from '../../core/errors.js';
import { runOwnedEngine } from '../../runtime.js';

/** How long `daemon` waits for the background engine to listen. */
const START_TIMEOUT_MS = 30_000;

type ChildReport = { type: 'ready'; pid: number; listening: string } | { type: 'failed'; code: string; message: string; exitCode: number };

export const daemonCommand: Command = {
  name: 'daemon',
  summary: "run this identity's engine in the background, detached from the terminal (survives logout)",
  globals: ['configDir', 'name', 'port', 'discoveryPort', 'broadcast', 'discovery', 'peer', 'downloads', 'json'],
  flags: { foreground: { type: 'boolean', help: 'stay in the foreground, log to stdout (for systemd and other service managers)' } },
  maxArgs: 0,
  details: [
    'Prints its pid and exits 0 once the engine listens; exits 1 with the reason when it cannot',
    "(port in use, another engine runs this identity). Its log is <config-dir>/daemon.log (1 MiB, then daemon.log.1).",
    "'peerdeck status' shows it, 'peerdeck stop' stops it; send, chat, pair, trust, peers, outbox and config use it.",
    'With --foreground: SIGTERM stops it cleanly and exits 143; SIGINT 130; SIGHUP 129.',
  ],
  async run(ctx) {
    return ctx.flags.foreground === true ? runEngineHere(ctx) : startInBackground(ctx);
  },
};

/** The engine itself: `daemon --foreground`, and the detached child `daemon` starts. */
async function runEngineHere({ options, stdout, stderr }: CommandContext): Promise<number> {
  const background = typeof process.send === 'function';
  const report = (r: ChildReport) => {
    if (background) process.send!(r);
  };
  const out = createOutput(options.json, stdout, stderr);
  const logFile = process.env.PEERDECK_DAEMON_LOG;
  const cap = background && logFile ? new LogCap(logFile, Number(process.env.PEERDECK_DAEMON_LOG_MAX) || undefined) : undefined;
  const say = (line: string) => {
    const text = out.json ? line : `${new Date().toISOString()} ${line}`;
    stdout.write(`${text}\n`);
    cap?.wrote(Buffer.byteLength(text) + 1);
  };
  const signals = untilSignal();
  // Detached, there is no terminal to hang up; a stray SIGHUP (a shell's kill -HUP) is ignored.
  const ignoreHup = () => say('SIGHUP ignored (the daemon has no terminal)');
  if (background) {
    process.removeAllListeners('SIGHUP');
    process.on('SIGHUP', ignoreHup);
  }
  let stop!: () => void;
  const stopRequested = new Promise<number>((r) => (stop = () => r(ExitCode.OK)));
  let owned;
  try {
    owned = await runOwnedEngine(
      options,
      (e) => {
        if (out.json) say(JSON.stringify({ ...e }));
        else {
          const line = formatEvent(e);
          if (line) say(line);
        }
      },
      { kind: 'daemon', onStopRequest: () => stop() },
    );
  } catch (err) {
    signals.dispose();
    report({ type: 'failed', code: errorCodeOf(err), message: errorMessageOf(err), exitCode: exitCodeFor(err) });
    throw err;
  }
  const listening = owned.engine.snapshotNow().self.listenAddress ?? `0.0.0.0:${owned.engine.port}`;
  say(out.json ? JSON.stringify({ type: 'daemon-ready', pid: process.pid, listening, deviceId: owned.engine.selfId }) : `peerdeck daemon pid ${process.pid} for ${owned.engine.selfId.slice(0, 7)} listening on ${listening}`);
  report({ type: 'ready', pid: process.pid, listening });
  if (background) process.disconnect?.();
  const code = await Promise.race([signals.done, stopRequested]);
  say(code === ExitCode.OK ? 'stopping (peerdeck stop)' : `stopping (signal, exit ${code})`);
  signals.dispose();
  process.off('SIGHUP', ignoreHup);
  await owned.close();
  say('stopped');
  return code;
}

/** `daemon`: start the engine as a detached child and wait until it listens (or says why not). */
async function startInBackground({ options, stdout, stderr }: CommandContext): Promise<number> {
  const out = createOutput(options.json, stdout, stderr);
  const paths = await prepareConfigDir(options.configDir);
  const logFile = daemonLogPath(paths.root);
  rotateIfFull(logFile);
  const fd = openSync(logFile, 'a', 0o600);
  const argv = process.argv.slice(2);
  const args = [...process.execArgv, process.argv[1]!, ...argv, '--foreground'];
  const child = spawn(process.execPath, args, {
    detached: true, // its own session and process group: a terminal's hangup never reaches it
    stdio: ['ignore', fd, fd, 'ipc'],
    env: { ...process.env, PEERDECK_DAEMON_LOG: logFile },
  });
  closeSync(fd);
  const outcome = await new Promise<ChildReport | { type: 'exited'; code: number | null; signal: string | null } | { type: 'timeout' }>((resolve) => {
    const timer = setTimeout(() => resolve({ type: 'timeout' }), START_TIMEOUT_MS);
    child.once('message', (m) => {
      clearTimeout(timer);
      resolve(m as ChildReport);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ type: 'exited', code, signal });
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve({ type: 'failed', code: 'ERR_DAEMON', message: err.message, exitCode: ExitCode.RUNTIME });
    });
  });
  if (outcome.type === 'ready') {
    child.disconnect();
    child.unref();
    if (out.json) out.event('daemon-started', { pid: outcome.pid, listening: outcome.listening, configDir: paths.root, log: logFile });
    else {
      out.line(`peerdeck daemon running (pid ${outcome.pid}), listening on ${outcome.listening}`);
      out.line(`log: ${logFile}`);
      out.line("'peerdeck status' shows it; 'peerdeck stop' stops it; send, chat, pair, peers use it.");
    }
    return ExitCode.OK;
  }
  if (outcome.type === 'timeout') child.kill('SIGTERM');
  else if (child.connected) child.disconnect();
  child.unref();
  if (outcome.type === 'failed') throw Object.assign(new EngineError('ERR_INTERNAL', outcome.message), { code: outcome.code });
  const tail = readTail(logFile);
  throw new EngineError(
    'ERR_INTERNAL',
    outcome.type === 'timeout'
      ? `the daemon did not start listening within ${START_TIMEOUT_MS / 1000} s (log: ${logFile})`
      : `the daemon exited before it listened (${outcome.signal ?? `exit ${outcome.code}`}); log ${logFile}${tail ? `:\n${tail}` : ''}`,
  );
}

function readTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-5).join('\n');
  } catch {
    return '';
  }
}
