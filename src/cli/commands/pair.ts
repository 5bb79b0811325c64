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
import type { PairOutcome } from '../../core/engine/operations.js';

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
      const deadline = req.expiresInMs !== undefined ? Date.now() + req.expiresInMs : undefined;
      out.event('pair-request', { ...req, direction: 'outgoing' });
      const peerName = toTerminalSafe(req.name, { maxLength: 64 });
      out.line(`pairing with ${peerName} [${req.deviceId}]`);
      out.line(`code: ${formatPairingCode(req.code)}`);
      // The request can end while the human reads (the other side rejects, it
      // times out, the link drops): then stop asking and say so at once.
      const ended = ops.pairOutcome({ pairingId: req.pairingId }).catch(() => ({ ended: false }) as PairOutcome);
      const prompter = new Prompter(process.stdin, out.json ? process.stderr : stdout);
      const left = deadline !== undefined ? ` (${formatLeft(deadline - Date.now())} left to answer)` : '';
      const answer = await Promise.race([
        prompter.confirm(`Does the other screen show the same code?${left}`).then((yes) => ({ yes })),
        ended.then((o) => (o.ended ? { ended: o } : new Promise<never>(() => {}))),
      ]);
      prompter.close();
      if ('ended' in answer) {
        if (!out.json) stdout.write('\n');
        return report(answer.ended, peerName);
      }
      const yes = answer.yes;
      if (!yes) out.line('rejecting…');
      else out.line(`confirmed; waiting for ${peerName} to confirm…`);
      const r = await ops.pairAnswer({ peer: req.pairingId, accept: yes });
      if (!yes) {
        out.event('pair-failed', r);
        out.line('not paired: you rejected it');
        return ExitCode.DENIED;
      }
      return report({ ended: true, ...r }, peerName);
    });

    function report(o: PairOutcome, peerName: string): ExitCode {
      out.event(o.paired ? 'paired' : 'pair-failed', { ...o });
      if (o.paired) {
        out.line(`paired with ${peerName} [${o.deviceId}]`);
        return ExitCode.OK;
      }
      out.line(`not paired with ${peerName}: ${toTerminalSafe(o.message ?? o.code ?? 'failed')}`);
      if (o.code === 'CODE_MISMATCH') return ExitCode.VERIFICATION;
      if (o.code === 'REJECTED') return ExitCode.DENIED;
      return ExitCode.RUNTIME;
    }
  },
};

/** 95_000 → "1:35". */
function formatLeft(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
