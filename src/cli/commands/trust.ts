import type { Command } from '../command.js';
import { UsageError } from '../usage-error.js';
import { createOutput } from '../output.js';
import { toJsonSafe, toTerminalSafe } from '../../protocol/terminal-safe.js';
import { withOperations } from '../../runtime.js';

export const trustCommand: Command = {
  name: 'trust',
  summary: 'list, add (pin out of band) or remove trusted peers',
  args: 'list | add DEVICE_ID [NAME] | remove PEER',
  globals: ['configDir', 'name', 'json'],
  flags: { autoAccept: { type: 'boolean', default: false, help: "with add: accept this peer's offers into the downloads folder without asking" } },
  minArgs: 1,
  maxArgs: 3,
  details: ["'trust remove' takes effect at once: a live session with that peer closes."],
  async run({ options, input, flags, stdout, stderr }) {
    const [sub, a, b] = input;
    const out = createOutput(options.json, stdout, stderr);
    if (sub !== 'list' && sub !== 'add' && sub !== 'remove') throw new UsageError(`trust: unknown subcommand ${JSON.stringify(sub)} (list, add, remove)`);
    if (sub === 'list' && input.length !== 1) throw new UsageError('trust list takes no arguments');
    if (sub === 'add' && !a) throw new UsageError('trust add needs a DEVICE_ID');
    if (sub === 'remove' && (!a || input.length !== 2)) throw new UsageError('trust remove needs exactly one PEER');
    return withOperations({ ...options, discovery: false, peers: [] }, async (ops) => {
      if (sub === 'list') {
        const pins = await ops.trustList();
        if (out.json) for (const p of pins) stdout.write(`${toJsonSafe({ type: 'trusted', ...p })}\n`);
        else if (!pins.length) out.line('no trusted peers');
        else for (const p of pins) out.line(`${p.deviceId}  ${toTerminalSafe(p.name, { maxLength: 64 })}  ${p.policy}${p.address ? `  ${p.address}` : ''}`);
        return 0;
      }
      if (sub === 'add') {
        const pin = await ops.trustAdd({ deviceId: a!, ...(b ? { name: b } : {}), autoAccept: flags.autoAccept === true });
        out.event('trusted', { deviceId: pin.deviceId, name: pin.name, policy: pin.policy });
        out.line(`trusted ${pin.deviceId} as ${toTerminalSafe(pin.name)}${pin.policy === 'auto-accept' ? ' (offers accepted without asking)' : ''}`);
        return 0;
      }
      const r = await ops.trustRemove({ peer: a! });
      out.event('trust-removed', r);
      out.line(`removed ${r.deviceId} (${toTerminalSafe(r.name)})`);
      return 0;
    }, sub === 'remove' ? [a!] : []);
  },
};
