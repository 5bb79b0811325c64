import type { Command } from '../command.js';
import { createOutput } from '../output.js';
import { openIdentity } from '../../runtime.js';

export const idCommand: Command = {
  name: 'id',
  summary: "print this device's ID, short ID, name and config path (creates the identity on first use)",
  globals: ['configDir', 'name', 'json'],
  maxArgs: 0,
  async run({ options, stdout, stderr }) {
    const { paths, identity, name } = await openIdentity(options);
    const out = createOutput(options.json, stdout, stderr);
    if (out.json) {
      stdout.write(`${JSON.stringify({ type: 'id', deviceId: identity.deviceId, shortId: identity.deviceId.slice(0, 7), name, configDir: paths.root, created: identity.created })}\n`);
    } else {
      out.line(`device ID  ${identity.deviceId}`);
      out.line(`short ID   ${identity.deviceId.slice(0, 7)}`);
      out.line(`name       ${name}`);
      out.line(`config     ${paths.root}`);
      if (identity.created) out.line('(new identity created)');
    }
    return 0;
  },
};
