import type { Command } from '../command.js';
import { createOutput } from '../output.js';
import { ExitCode } from '../exit-codes.js';
import { prepareConfigDir } from '../../core/config-dir.js';
import { tryConnectControl } from '../../core/control/control-client.js';
import type { EngineStatus } from '../../core/daemon/engine-status.js';
import { toTerminalSafe } from '../../protocol/terminal-safe.js';

function duration(s: number): string {
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : m ? `${m}m ${s % 60}s` : `${s}s`;
}

export const statusCommand: Command = {
  name: 'status',
  summary: "is this identity's engine running (daemon, listen, dashboard): pid, uptime, address, peers, transfers",
  globals: ['configDir', 'json'],
  maxArgs: 0,
  details: ['Exit 0 when an engine runs, 1 when none does.'],
  async run({ options, stdout, stderr }) {
    const out = createOutput(options.json, stdout, stderr);
    const paths = await prepareConfigDir(options.configDir);
    const client = await tryConnectControl(paths.controlSocket);
    if (!client) {
      if (out.json) out.event('status', { running: false, configDir: paths.root });
      else out.line(`not running (config ${paths.root})`);
      return ExitCode.RUNTIME;
    }
    try {
      const s = await client.call<EngineStatus>('engineStatus', {});
      if (out.json) out.event('status', { ...s, configDir: paths.root });
      else {
        out.line(`running: ${s.host}, pid ${s.pid}, up ${duration(s.uptimeSeconds)}`);
        out.line(`name       ${toTerminalSafe(s.name)} [${s.deviceId.slice(0, 7)}]`);
        out.line(`listening  ${s.listening ?? 'no'}`);
        out.line(`peers      ${s.peersOnline} online, ${s.peersTrusted} trusted`);
        out.line(`transfers  ${s.transfersActive} active, ${s.transfersQueued} queued`);
        out.line(`config     ${paths.root}`);
      }
      return ExitCode.OK;
    } finally {
      client.close();
    }
  },
};
