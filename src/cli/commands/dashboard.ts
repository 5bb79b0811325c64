import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { attachOrStart } from '../../dashboard-attach.js';
import { spawnDaemon } from '../daemon-spawn.js';

export const dashboardCommand: Command = {
  name: '',
  summary: 'open the full-screen dashboard (attaches to the running engine, else runs one)',
  globals: ['configDir', 'name', 'port', 'discoveryPort', 'broadcast', 'discovery', 'peer', 'downloads'],
  flags: {
    inProcess: { type: 'boolean', help: 'run the engine inside this dashboard (leaving stops it) instead of starting it in the background' },
  },
  details: [
    'With no engine running for the identity, the engine starts in the background (as `peerdeck daemon`)',
    'and the dashboard attaches to it: closing the terminal or losing the SSH link never stops a transfer.',
    "d detaches; q stops the engine (asking first while transfers run or peers are connected).",
  ],
  maxArgs: 0,
  async run({ options, flags, stderr }) {
    if (!process.stdin.isTTY || !process.stdout.isTTY) {
      stderr.write(
        'peerdeck: the dashboard needs a terminal (stdin and stdout must be a TTY).\n' +
          "Headless use: 'peerdeck listen', 'peerdeck peers', 'peerdeck chat', 'peerdeck pair' … see 'peerdeck --help'.\n",
      );
      return ExitCode.USAGE;
    }
    // Ink's signal-exit re-raises a signal when its own handler is the only one left, which
    // happens the moment the dashboard removes its handlers while handling that signal.
    // Keep one inert handler per signal so only our shutdown decides when the process ends.
    for (const sig of ['SIGHUP', 'SIGINT', 'SIGTERM'] as const) process.on(sig, () => {});
    // Attached to a running engine, leaving (other than q) detaches and the engine keeps running.
    // With no engine running, one starts in the background (the tmux model) unless --in-process.
    const startInBackground = async () => {
      await spawnDaemon(options.configDir, process.argv.slice(2).filter((a) => a !== '--in-process'));
    };
    const session = await attachOrStart(options, flags.inProcess === true ? undefined : startInBackground);
    let code: number;
    try {
      // Ink and React are loaded only here: headless commands never pay for them.
      const { runDashboard } = await import('../../ui/run-dashboard.js');
      code = await runDashboard(session.engine, {});
    } finally {
      await session.close();
    }
    if (code === ExitCode.SIGHUP) {
      // The terminal is gone: Node 20's own terminal reset at exit would abort on it
      // (nodejs/node#51519), so die by the signal itself, as an unhandled SIGHUP does.
      process.removeAllListeners('SIGHUP');
      process.kill(process.pid, 'SIGHUP');
    }
    // Signals are handled (the terminal is restored first), so exit with their code explicitly.
    process.exit(code);
  },
};
