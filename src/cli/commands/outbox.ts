import type { Command } from '../command.js';
import { UsageError } from '../usage-error.js';
import { ExitCode } from '../exit-codes.js';
import { createOutput } from '../output.js';
import { toJsonSafe, toTerminalSafe } from '../../protocol/terminal-safe.js';
import type { OutboxEntry } from '../../core/engine/operations.js';
import { withOperations } from '../../runtime.js';

/** Without a running engine, `outbox retry` runs a private engine this long for its own attempt. */
const RETRY_WAIT_MS = 15_000;

function line(e: OutboxEntry): string {
  const next = e.state === 'queued' ? (e.nextAttemptIn !== undefined ? `next attempt in ${e.nextAttemptIn} s` : 'waiting for the peer') : '';
  const err = e.lastError ? ` — ${toTerminalSafe(e.lastError.message, { maxLength: 80 })}` : '';
  return `${e.id.slice(0, 12)}  ${e.kind.padEnd(4)}  ${toTerminalSafe(e.peer, { maxLength: 20 }).padEnd(20)}  ${e.state.padEnd(9)}  attempts ${e.attempts}  ${next}${err}\n      ${toTerminalSafe(e.what, { maxLength: 100 })}`;
}

export const outboxCommand: Command = {
  name: 'outbox',
  summary: 'list queued sends and messages for offline peers; retry or cancel one; clear finished ones',
  args: 'list | retry ID | cancel ID | clear',
  globals: ['configDir', 'name', 'discoveryPort', 'broadcast', 'discovery', 'peer', 'json'],
  minArgs: 1,
  maxArgs: 2,
  details: [
    'ID is an item id or a unique prefix of at least 4 characters (shown by `outbox list`).',
    'retry: with an engine running (listen, receive, the dashboard) it tries at once and exits 0;',
    `without one, this command runs one for that item only, up to ${RETRY_WAIT_MS / 1000} s: exit 0 once delivered, 4 when the`,
    'peer could not be reached (the item stays queued), 1 when it failed for good.',
    'clear drops delivered and cancelled items now (they are dropped by themselves after 7 days).',
  ],
  async run({ options, input, stdout, stderr }) {
    const [sub, id] = input;
    const out = createOutput(options.json, stdout, stderr);
    if (sub !== 'list' && sub !== 'retry' && sub !== 'cancel' && sub !== 'clear') throw new UsageError(`outbox: unknown subcommand ${JSON.stringify(sub)} (list, retry, cancel, clear)`);
    if ((sub === 'list' || sub === 'clear') && id !== undefined) throw new UsageError(`outbox ${sub} takes no ID`);
    if ((sub === 'retry' || sub === 'cancel') && !id) throw new UsageError(`outbox ${sub} needs an ID`);
    return withOperations({ ...options, discovery: sub === 'retry' && options.discovery }, async (ops, remote) => {
      const print = (e: OutboxEntry) => (options.json ? stdout.write(`${toJsonSafe({ type: 'outbox-item', ...e })}\n`) : out.line(line(e)));
      if (sub === 'list') {
        const items = await ops.outboxList();
        if (!options.json && !items.length) out.line('the outbox is empty');
        for (const e of items) print(e);
        return ExitCode.OK;
      }
      if (sub === 'clear') {
        const { dropped } = await ops.outboxClear();
        out.event('outbox-cleared', { dropped });
        out.line(`dropped ${dropped} delivered or cancelled item${dropped === 1 ? '' : 's'}`);
        return ExitCode.OK;
      }
      if (sub === 'cancel') {
        print(await ops.outboxCancel({ id: id! }));
        return ExitCode.OK;
      }
      const before = (await ops.outboxList()).find((x) => x.id === id || x.id.startsWith(id!));
      let e = await ops.outboxRetry({ id: id! });
      if (remote) {
        print(e);
        return ExitCode.OK;
      }
      // No engine runs for this identity: this process makes the attempt, so it stays for it.
      const attemptsBefore = before?.attempts ?? e.attempts;
      const deadline = Date.now() + RETRY_WAIT_MS;
      while (Date.now() < deadline && (e.state === 'sending' || (e.state === 'queued' && e.attempts === attemptsBefore))) {
        await new Promise((r) => setTimeout(r, 250));
        e = (await ops.outboxList()).find((x) => x.id === e.id) ?? e;
      }
      print(e);
      if (e.state === 'delivered') return ExitCode.OK;
      if (e.state === 'queued' || e.state === 'sending') {
        out.error('ERR_PEER_UNREACHABLE', `not delivered yet: ${e.lastError ? e.lastError.message : 'the peer did not come online'}; it stays queued and goes out when an engine runs and the peer is back`);
        return ExitCode.UNREACHABLE;
      }
      return ExitCode.RUNTIME;
    });
  },
};
