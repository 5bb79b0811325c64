import type { Command } from '../command.js';
import { UsageError } from '../usage-error.js';
import { createOutput } from '../output.js';
import { toJsonSafe, toTerminalSafe } from '../../protocol/terminal-safe.js';
import type { OutboxEntry } from '../../core/engine/operations.js';
import { withOperations } from '../../runtime.js';

/** Without a running engine, `outbox retry` stays this long for its own attempt. */
const RETRY_WAIT_MS = 30_000;

function line(e: OutboxEntry): string {
  const next = e.state === 'queued' ? (e.nextAttemptIn !== undefined ? `next attempt in ${e.nextAttemptIn} s` : 'waiting for the peer') : '';
  const err = e.lastError ? ` — ${toTerminalSafe(e.lastError.message, { maxLength: 80 })}` : '';
  return `${e.id.slice(0, 12)}  ${e.kind.padEnd(4)}  ${toTerminalSafe(e.peer, { maxLength: 20 }).padEnd(20)}  ${e.state.padEnd(9)}  attempts ${e.attempts}  ${next}${err}\n      ${toTerminalSafe(e.what, { maxLength: 100 })}`;
}

export const outboxCommand: Command = {
  name: 'outbox',
  summary: 'list queued sends and messages for offline peers; retry or cancel one',
  args: 'list | retry ID | cancel ID',
  globals: ['configDir', 'name', 'discoveryPort', 'broadcast', 'discovery', 'peer', 'json'],
  minArgs: 1,
  maxArgs: 2,
  details: ['ID is an item id or a unique prefix of at least 4 characters (shown by `outbox list`).'],
  async run({ options, input, stdout, stderr }) {
    const [sub, id] = input;
    const out = createOutput(options.json, stdout, stderr);
    if (sub !== 'list' && sub !== 'retry' && sub !== 'cancel') throw new UsageError(`outbox: unknown subcommand ${JSON.stringify(sub)} (list, retry, cancel)`);
    if (sub === 'list' && id !== undefined) throw new UsageError('outbox list takes no ID');
    if (sub !== 'list' && !id) throw new UsageError(`outbox ${sub} needs an ID`);
    return withOperations({ ...options, discovery: sub === 'retry' && options.discovery }, async (ops, remote) => {
      if (sub === 'list') {
        const items = await ops.outboxList();
        if (options.json) for (const e of items) stdout.write(`${toJsonSafe({ type: 'outbox-item', ...e })}\n`);
        else if (!items.length) out.line('the outbox is empty');
        else for (const e of items) out.line(line(e));
        return 0;
      }
      let e = sub === 'retry' ? await ops.outboxRetry({ id: id! }) : await ops.outboxCancel({ id: id! });
      if (sub === 'retry' && !remote) {
        // No engine runs for this identity: this process makes the attempt, so stay for it.
        const deadline = Date.now() + RETRY_WAIT_MS;
        while (Date.now() < deadline && (e.state === 'sending' || (e.state === 'queued' && e.attempts === 0))) {
          await new Promise((r) => setTimeout(r, 250));
          e = (await ops.outboxList()).find((x) => x.id === e.id) ?? e;
        }
      }
      if (options.json) stdout.write(`${toJsonSafe({ type: 'outbox-item', ...e })}\n`);
      else out.line(line(e));
      return 0;
    });
  },
};
