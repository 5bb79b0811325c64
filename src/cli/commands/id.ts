import type { Command } from '../command.js';
import { createOutput } from '../output.js';
import { openIdentity } from '../../runtime.js';
import { CONFIG_DIR_ENV } from '../../core/config-dir.js';
import { SETTINGS } from '../../core/settings/settings-table.js';
import { toTerminalSafe } from '../../protocol/terminal-safe.js';

export const idCommand: Command = {
  name: 'id',
  summary: "print this device's ID, short ID, name and config path, and each setting with where it came from",
  globals: ['configDir', 'name', 'port', 'discoveryPort', 'broadcast', 'discovery', 'peer', 'downloads', 'relay', 'json'],
  maxArgs: 0,
  details: ['Each setting shows its source: flag, env (a PEERDECK_* variable), setting (peerdeck config) or default.'],
  async run({ options, stdout, stderr }) {
    const { paths, identity, name, resolved } = await openIdentity(options);
    const out = createOutput(options.json, stdout, stderr);
    const configDirSource = options.configDir !== undefined ? 'flag' : process.env[CONFIG_DIR_ENV]?.trim() ? 'env' : 'default';
    if (out.json) {
      const settings = Object.fromEntries(resolved.effective.map((e) => [e.key, { value: e.value, source: e.source }]));
      stdout.write(
        `${JSON.stringify({ type: 'id', deviceId: identity.deviceId, shortId: identity.deviceId.slice(0, 7), name, configDir: paths.root, configDirSource, created: identity.created, settings })}\n`,
      );
    } else {
      out.line(`device ID  ${identity.deviceId}`);
      out.line(`short ID   ${identity.deviceId.slice(0, 7)}`);
      out.line(`name       ${toTerminalSafe(name)}`);
      out.line(`config     ${toTerminalSafe(paths.root)}  (${configDirSource})`);
      if (identity.created) out.line('(new identity created)');
      out.line('');
      out.line('settings');
      for (const e of resolved.effective) {
        const spec = SETTINGS.find((s) => s.key === e.key)!;
        out.line(`  ${e.key.padEnd(15)} ${(toTerminalSafe(spec.format(e.value)) || '(none)').padEnd(30)} ${e.source}`);
      }
    }
    return 0;
  },
};
