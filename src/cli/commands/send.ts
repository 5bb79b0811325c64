import { resolve } from 'node:path';
import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { createOutput } from '../output.js';
import { ProgressBar } from '../progress-bar.js';
import type { EngineEvent } from '../../core/engine/events.js';
import { toTerminalSafe } from '../../protocol/terminal-safe.js';
import { formatEvent } from '../event-format.js';
import { withOperations } from '../../runtime.js';

/** Exit code for a failed send, by its error code. */
function failureExit(code: string | undefined): number {
  if (code === 'ERR_DENIED' || code === 'ERR_OFFER_TIMEOUT' || code === 'ERR_NO_SPACE' || code === 'ERR_BAD_PATH' || code === 'ERR_UNSAFE_PATH') return ExitCode.DENIED;
  if (code === 'ERR_VERIFICATION_FAILED') return ExitCode.VERIFICATION;
  return ExitCode.RUNTIME;
}

export const sendCommand: Command = {
  name: 'send',
  summary: 'send files or folders to a trusted peer (exit 0 once it verified and published them)',
  args: 'PEER PATH...',
  globals: ['configDir', 'name', 'discoveryPort', 'broadcast', 'discovery', 'peer', 'json'],
  flags: { wait: { type: 'boolean', default: false, help: 'when the peer is offline, stay until it is delivered (default: queue it and exit 4)' } },
  minArgs: 2,
  details: [
    'Progress shows as a bar on a terminal, as JSON events otherwise (or with --json).',
    'An offline peer gets the send queued in the outbox (see `peerdeck outbox`); it goes out when the peer is back.',
  ],
  async run({ options, input, flags, stdout, stderr }) {
    const [peer, ...rawPaths] = input as [string, ...string[]];
    const paths = rawPaths.map((p) => resolve(p));
    const json = options.json || !(stdout as NodeJS.WriteStream).isTTY;
    const out = createOutput(json, stdout, stderr);
    const bar = json ? undefined : new ProgressBar(stdout, rawPaths.length === 1 ? toTerminalSafe(rawPaths[0]!, { maxLength: 30 }) : `${rawPaths.length} items`);
    const onEvent = (e: EngineEvent) => {
      const { type, ...fields } = e;
      if (json) return out.event(type, fields);
      if (e.type === 'transfer-progress') bar!.update(e.bytes, e.total);
      else if (e.type === 'transfer-offered') out.line(formatEvent(e)!);
      else if (e.type === 'transfer-paused') {
        bar!.done();
        out.line(`paused: ${toTerminalSafe(e.reason)} (it resumes by itself)`);
      } else if (e.type === 'transfer-restarted') {
        bar!.done();
        out.line(`restarting: ${toTerminalSafe(e.reason)}`);
      }
    };
    return withOperations(options, async (ops) => {
      const ac = new AbortController();
      const r = await ops.send({ peer, paths, wait: flags.wait === true }, onEvent, ac.signal);
      bar?.done();
      if (r.duplicate) out.line(`already queued as ${r.id}: not added twice`);
      switch (r.state) {
        case 'delivered':
          out.line(`delivered: the peer verified and published everything (${r.id})`);
          return ExitCode.OK;
        case 'queued':
          // The outbox-queued event already went out with the engine's events.
          out.line(`peer unreachable: queued (${r.id}); it goes out when the peer is back and an engine runs`);
          return ExitCode.UNREACHABLE;
        case 'cancelled':
          out.error('ERR_CANCELLED', 'the send was cancelled');
          return ExitCode.RUNTIME;
        default:
          out.error(r.error?.code ?? 'ERR_INTERNAL', `not delivered: ${r.error?.message ?? r.state}`);
          return failureExit(r.error?.code);
      }
    }, [peer]);
  },
};
