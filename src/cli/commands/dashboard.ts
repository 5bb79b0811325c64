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
    const owned = await runOwnedEngine(options);
    let code: number;
    try {
      // Ink and React are loaded only here: headless commands never pay for them.
      const { runDashboard } = await import('../../ui/run-dashboard.js');
      code = await runDashboard(owned.engine, {});
    } finally {
      await owned.close();
    }
    // Signals are handled (the terminal is restored first), so exit with their code explicitly.
    process.exit(code);
  },
};
