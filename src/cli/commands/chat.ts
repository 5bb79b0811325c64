import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { createOutput } from '../output.js';
import { withOperations } from '../../runtime.js';

export const chatCommand: Command = {
  name: 'chat',
  summary: 'send a message to a trusted peer (exit 0 once acknowledged, 4 when queued for later)',
  args: 'PEER MESSAGE',
  globals: ['configDir', 'name', 'discoveryPort', 'broadcast', 'discovery', 'peer', 'json'],
  minArgs: 2,
  maxArgs: 2,
  details: ['PEER is a trusted peer\'s local name or a device-ID prefix (7+ characters).'],
  async run({ options, input, stdout, stderr }) {
    const [peer, text] = input as [string, string];
    const out = createOutput(options.json, stdout, stderr);
    return withOperations(options, async (ops) => {
      const r = await ops.chat({ peer, text });
      if (r.delivered) {
        out.event('chat-delivered', { id: r.id, deviceId: r.deviceId });
        out.line(`delivered (${r.id})`);
        return ExitCode.OK;
      }
      out.event('outbox-queued', { id: r.id, deviceId: r.deviceId, kind: 'chat' });
      out.line(`peer unreachable: queued (${r.id}); it goes out when the peer is back and an engine runs`);
      return ExitCode.UNREACHABLE;
    }, [peer]);
  },
};
