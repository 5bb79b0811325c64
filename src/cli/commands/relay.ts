import type { Command } from '../command.js';
import { createOutput } from '../output.js';
import { untilSignal } from '../signals.js';
import { UsageError } from '../usage-error.js';
import { prepareConfigDir } from '../../core/config-dir.js';
import { systemClock } from '../../core/clock.js';
import { loadOrCreateIdentity } from '../../core/identity.js';
import { DEFAULT_RELAY_LIMITS, DEFAULT_RELAY_PORT } from '../../relay/relay-limits.js';
import { limitsFromFlags, parseAllow, RelayOptionError, type LimitFlags } from '../../relay/relay-options.js';
import { RelayServer } from '../../relay/relay-server.js';

const d = DEFAULT_RELAY_LIMITS;

export const relayCommand: Command = {
  name: 'relay',
  summary: 'run a relay ("home peer"): registration, keepalive, push and an encrypted RAM mailbox for its clients',
  globals: ['configDir', 'port', 'json'],
  maxArgs: 0,
  flags: {
    host: { type: 'string', help: 'address to listen on (default 0.0.0.0)' },
    allow: { type: 'string', isMultiple: true, help: 'only this device ID may register and be deposited for (repeatable)' },
    allowFile: { type: 'string', help: 'file with one allowed device ID a line (# comments)' },
    maxClients: { type: 'number', help: `registered clients at once (default ${d.maxClients})` },
    maxEnvelope: { type: 'number', help: `bytes per envelope (default ${d.maxEnvelopeBytes})` },
    maxQueue: { type: 'number', help: `envelopes held per recipient (default ${d.maxQueueEnvelopes})` },
    maxQueueBytes: { type: 'number', help: `bytes held per recipient (default ${d.maxQueueBytes})` },
    maxTotalBytes: { type: 'number', help: `bytes held in total (default ${d.maxTotalBytes})` },
    ttl: { type: 'number', help: `seconds an envelope is held (default ${d.ttlMs / 1000}, at most 30 days)` },
    depositsPerMinute: { type: 'number', help: `deposits per depositor per minute (default ${d.depositsPerMinute})` },
    silentDrop: { type: 'number', help: `seconds of silence before a client is dropped (default ${d.silentDropMs / 1000})` },
  },
  details: [
    `Listens on TCP ${DEFAULT_RELAY_PORT} by default (--port). Give the relay its own --config-dir: its identity is its device ID,`,
    'which clients pin (host:port#DEVICE_ID). Everything it holds is in RAM only: a restart forgets it, senders deposit again.',
    '--json prints events (registered, left, deposit, pushed, acked, expired, refused) with device IDs, sizes and times only.',
  ],
  async run({ options, flags, stdout, stderr }) {
    const out = createOutput(options.json, stdout, stderr);
    let allow;
    let limits;
    try {
      allow = parseAllow((flags.allow as string[] | undefined) ?? [], flags.allowFile as string | undefined);
      limits = limitsFromFlags(flags as LimitFlags);
    } catch (err) {
      if (err instanceof RelayOptionError) throw new UsageError(err.message);
      throw err;
    }
    const paths = await prepareConfigDir(options.configDir);
    const identity = await loadOrCreateIdentity(paths);
    const signals = untilSignal();
    const server = new RelayServer({
      identity,
      host: (flags.host as string | undefined) ?? '0.0.0.0',
      port: options.port ?? DEFAULT_RELAY_PORT,
      clock: systemClock,
      limits,
      allow,
    });
    server.on('event', (e) => {
      if (out.json) {
        const { type, ...rest } = e;
        out.event(type, rest);
      }
    });
    let port: number;
    try {
      port = await server.start();
    } catch (err) {
      signals.dispose();
      throw err;
    }
    out.event('relay-listening', { deviceId: identity.deviceId, port, allow: allow ? allow.size : null });
    out.line(`relay ${identity.deviceId} listening on port ${port}${allow ? ` for ${allow.size} allowed device IDs` : ' (open; limits apply per client)'}`);
    out.line(`clients set it with: peerdeck config set relay HOST:${port}#${identity.deviceId}`);
    const code = await signals.done;
    signals.dispose();
    const stats = server.stats();
    out.event('relay-stopped', { ...stats });
    await server.close();
    return code;
  },
};
