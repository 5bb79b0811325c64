import type { Command } from '../command.js';
import { UsageError } from '../usage-error.js';
import { toJsonSafe, toTerminalSafe } from '../../protocol/terminal-safe.js';
import { withOperations } from '../../runtime.js';

/** Without a running engine, listen this long for announcements. */
const DEFAULT_WAIT_S = 2;

export const peersCommand: Command = {
  name: 'peers',
  summary: 'list discovered and trusted peers with their state',
  globals: ['configDir', 'name', 'discoveryPort', 'broadcast', 'discovery', 'peer', 'json'],
  flags: { wait: { type: 'number', help: `seconds to listen for peers first (default ${DEFAULT_WAIT_S} without a running engine, 0 with one)` } },
  maxArgs: 0,
  async run({ options, flags, stdout }) {
    const wait = flags.wait as number | undefined;
    if (wait !== undefined && (!Number.isFinite(wait) || wait < 0 || wait > 3600)) throw new UsageError('--wait must be 0..3600 seconds');
    return withOperations(options, async (ops, remote) => {
      const peers = await ops.peers({ waitMs: Math.round((wait ?? (remote ? 0 : DEFAULT_WAIT_S)) * 1000) });
      if (options.json) {
        for (const p of peers) stdout.write(`${toJsonSafe({ type: 'peer', ...p })}\n`);
        return 0;
      }
      if (!peers.length) {
        stdout.write('no peers found\n');
        return 0;
      }
      for (const p of peers) {
        const rtt = p.rttMs !== undefined ? `${Math.round(p.rttMs)} ms` : '';
        stdout.write(
          `${p.shortId}  ${toTerminalSafe(p.name, { maxLength: 32 }).padEnd(20)} ${(p.verified ? 'verified' : 'unverified').padEnd(10)} ${p.state.padEnd(10)} ${(p.address ?? '').padEnd(22)} ${rtt}\n`,
        );
      }
      return 0;
    });
  },
};
