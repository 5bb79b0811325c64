import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { runOwnedEngine } from '../../runtime.js';

export const dashboardCommand: Command = {
  name: '',
  summary: 'open the full-screen dashboard (runs the engine for this identity)',
  globals: ['configDir', 'name', 'port', 'discoveryPort', 'broadcast', 'discovery', 'peer', 'downloads'],
  maxArgs: 0,
  async run({ options, stderr }) {
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
    const owned = await runOwnedEngine(options, undefined, { kind: 'dashboard' });
    let code: number;
    try {
      // Ink and React are loaded only here: headless commands never pay for them.
      const { runDashboard } = await import('../../ui/run-dashboard.js');
      code = await runDashboard(owned.engine, {});
    } finally {
      await owned.close();
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
