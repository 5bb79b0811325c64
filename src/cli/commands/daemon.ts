import type { Command, CommandContext } from '../command.js';
import { createOutput } from '../output.js';
import { formatEvent } from '../event-format.js';
import { untilSignal } from '../signals.js';
import { ExitCode } from '../exit-codes.js';
import { errorCodeOf, errorMessageOf, exitCodeFor } from '../error-exit.js';
import { LogCap } from '../../core/daemon/daemon-log.js';
import { spawnDaemon, type DaemonReport } from '../daemon-spawn.js';
import { runOwnedEngine } from '../../runtime.js';


export const daemonCommand: Command = {
  name: 'daemon',
  summary: "run this identity's engine in the background, detached from the terminal (survives logout)",
  globals: ['configDir', 'name', 'port', 'discoveryPort', 'broadcast', 'discovery', 'peer', 'downloads', 'relay', 'json'],
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
  const report = (r: DaemonReport) => {
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
  const argv = process.argv.slice(2);
  const started = await spawnDaemon(options.configDir, argv.slice(argv.indexOf('daemon') + 1));
  if (out.json) out.event('daemon-started', { pid: started.pid, listening: started.listening, configDir: started.configDir, log: started.log });
  else {
    out.line(`peerdeck daemon running (pid ${started.pid}), listening on ${started.listening}`);
    out.line(`log: ${started.log}`);
    out.line("'peerdeck' attaches a dashboard; 'peerdeck status' shows it; 'peerdeck stop' stops it; send, chat, pair, peers use it.");
  }
  return ExitCode.OK;
}
