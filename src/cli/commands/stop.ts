import type { Command } from '../command.js';
import { UsageError } from '../usage-error.js';
import { createOutput } from '../output.js';
import { ExitCode } from '../exit-codes.js';
import { prepareConfigDir } from '../../core/config-dir.js';
import { tryConnectControl } from '../../core/control/control-client.js';
import { isProcessAlive } from '../../core/control/process-liveness.js';
import { EngineError } from '../../core/errors.js';

const DEFAULT_WAIT_S = 30;

export const stopCommand: Command = {
  name: 'stop',
  summary: "stop this identity's daemon cleanly (goodbye to peers, journals closed, transfers resumable) and wait until it is gone",
  globals: ['configDir', 'json'],
  flags: { wait: { type: 'number', help: `seconds to wait for it to exit (default ${DEFAULT_WAIT_S})` } },
  maxArgs: 0,
  details: ['Exit 0 once it has exited (or when none runs), 1 if it is still running after --wait seconds.'],
  async run({ options, flags, stdout, stderr }) {
    const out = createOutput(options.json, stdout, stderr);
    const waitS = flags.wait === undefined ? DEFAULT_WAIT_S : (flags.wait as number);
    if (!Number.isFinite(waitS) || waitS <= 0) throw new UsageError('--wait must be a number of seconds above 0');
    const paths = await prepareConfigDir(options.configDir);
    const client = await tryConnectControl(paths.controlSocket);
    if (!client) {
      if (out.json) out.event('stopped', { running: false, configDir: paths.root });
      else out.line(`not running (config ${paths.root})`);
      return ExitCode.OK;
    }
    let pid: number;
    try {
      ({ pid } = await client.call<{ pid: number }>('stop', {}));
    } finally {
      client.close();
    }
    const deadline = Date.now() + waitS * 1000;
    while (isProcessAlive(pid)) {
      if (Date.now() >= deadline) throw new EngineError('ERR_TIMEOUT', `the daemon (pid ${pid}) is still running after ${waitS} s`);
      await new Promise((r) => setTimeout(r, 50));
    }
    if (out.json) out.event('stopped', { running: false, pid, configDir: paths.root });
    else out.line(`stopped (pid ${pid})`);
    return ExitCode.OK;
  },
};
