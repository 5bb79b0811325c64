import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { UsageError } from '../usage-error.js';
import { createOutput } from '../output.js';
import { Prompter } from '../prompt.js';
import { canPromptOnTerminal } from '../foreground.js';
import { formatPairingCode } from '../../protocol/pairing-code.js';
import { toTerminalSafe } from '../../protocol/terminal-safe.js';
import { EngineError } from '../../core/errors.js';
import { withOperations } from '../../runtime.js';

export const pairCommand: Command = {
  name: 'pair',
  summary: 'pair with a peer by comparing a 6-digit code, or answer a pairing request',
  args: 'PEER | --accept PEER --code NNNNNN | --reject PEER',
  globals: ['configDir', 'name', 'discoveryPort', 'broadcast', 'discovery', 'peer', 'json'],
  flags: {
    accept: { type: 'string', help: 'accept the open request from PEER (needs --code)' },
    reject: { type: 'string', help: 'reject the open request from PEER' },
    code: { type: 'string', help: 'the 6 digits shown by the other side (with --accept)' },
  },
  maxArgs: 1,
  details: [
    'PEER is a device-ID prefix (7+ characters) of a discovered peer, or host:port.',
    "'pair PEER' shows the code and asks you to confirm on standard input; both sides must confirm.",
    '--accept/--reject answer a request held by the running engine (peerdeck listen or the dashboard).',
  ],
  async run({ options, input, flags, stdout, stderr }) {
    const out = createOutput(options.json, stdout, stderr);
    const accept = flags.accept as string | undefined;
    const reject = flags.reject as string | undefined;
    const code = flags.code as string | undefined;
    const modes = [input.length > 0, accept !== undefined, reject !== undefined].filter(Boolean).length;
    if (modes !== 1) throw new UsageError('give exactly one of PEER, --accept PEER or --reject PEER');
    if (accept !== undefined && !/^\d{3}\s?\d{3}$/.test(code ?? '')) throw new UsageError('--accept needs --code NNNNNN (the 6 digits shown)');
    if (code !== undefined && accept === undefined) throw new UsageError('--code goes with --accept');

    if (accept !== undefined || reject !== undefined) {
      return withOperations(options, async (ops, remote) => {
        if (!remote) throw new EngineError('ERR_PEER_UNKNOWN', "no engine is running for this identity, so there is no pairing request to answer (start 'peerdeck listen')", 'usage');
        const r = await ops.pairAnswer({ peer: (accept ?? reject)!, accept: accept !== undefined, ...(code ? { code: code.replace(/\s/g, '') } : {}) });
        out.event(r.paired ? 'paired' : 'pair-failed', r);
        if (r.paired) {
          out.line(`paired with ${r.deviceId}`);
          return ExitCode.OK;
        }
        out.line(reject !== undefined ? 'rejected' : `not paired: ${toTerminalSafe(r.message ?? r.code ?? 'failed')}`);
        if (reject !== undefined) return ExitCode.OK;
        return r.code === 'CODE_MISMATCH' ? ExitCode.VERIFICATION : r.code === 'REJECTED' ? ExitCode.DENIED : ExitCode.RUNTIME;
      });
    }

    // A background job must not read its terminal (the shell would stop it): refuse before starting.
    if (process.stdin.isTTY && !canPromptOnTerminal()) throw new UsageError("'pair PEER' asks you to confirm the code on this terminal: run it in the foreground");
    return withOperations(options, async (ops) => {
      const req = await ops.pair({ peer: input[0]! });
      out.event('pair-request', { ...req, direction: 'outgoing' });
      out.line(`pairing with ${toTerminalSafe(req.name, { maxLength: 64 })} [${req.deviceId}]`);
      out.line(`code: ${formatPairingCode(req.code)}`);
      const prompter = new Prompter(process.stdin, out.json ? process.stderr : stdout);
      const yes = await prompter.confirm('Does the other screen show the same code?');
      prompter.close();
      if (!yes) out.line('rejecting…');
      else out.line('confirmed; waiting for the other side…');
      const r = await ops.pairAnswer({ peer: req.pairingId, accept: yes });
      out.event(r.paired ? 'paired' : 'pair-failed', r);
      if (r.paired) {
        out.line(`paired with ${req.deviceId}`);
        return ExitCode.OK;
      }
      out.line(`not paired: ${toTerminalSafe(r.message ?? r.code ?? 'failed')}`);
      if (!yes || r.code === 'REJECTED') return ExitCode.DENIED;
      return r.code === 'CODE_MISMATCH' ? ExitCode.VERIFICATION : ExitCode.RUNTIME;
    });
  },
};
