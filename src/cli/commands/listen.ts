import type { Command } from '../command.js';
import { createOutput } from '../output.js';
import { formatEvent } from '../event-format.js';
import { Prompter } from '../prompt.js';
import { canPromptOnTerminal } from '../foreground.js';
import { untilSignal } from '../signals.js';
import { onAllEvents } from '../../core/engine/operations.js';
import { formatPairingCode } from '../../protocol/pairing-code.js';
import { toTerminalSafe } from '../../protocol/terminal-safe.js';
import { runOwnedEngine } from '../../runtime.js';

export const listenCommand: Command = {
  name: 'listen',
  summary: 'run the engine headless and print events (pairing requests ask on this terminal)',
  globals: ['configDir', 'name', 'port', 'discoveryPort', 'broadcast', 'discovery', 'peer', 'downloads', 'relay', 'json'],
  maxArgs: 0,
  details: [
    'A pairing request is never confirmed by itself: answer here (on a terminal) or with',
    "'peerdeck pair --accept PEER --code NNNNNN' / 'peerdeck pair --reject PEER' from another shell.",
  ],
  async run({ options, stdout, stderr }) {
    const out = createOutput(options.json, stdout, stderr);
    const signals = untilSignal();
    const owned = await runOwnedEngine(options, (e) => {
      if (out.json) out.event(e.type, Object.fromEntries(Object.entries(e).filter(([k]) => k !== 'type')));
      else {
        const line = formatEvent(e);
        if (line) out.line(line);
      }
    });
    const engine = owned.engine;
    const prompter = process.stdin.isTTY && !out.json ? new Prompter() : undefined;
    const off = onAllEvents(engine, (e) => {
      if (e.type !== 'pair-request' || e.direction !== 'incoming' || !prompter) return;
      if (!canPromptOnTerminal()) {
        // In the background (or the terminal is not ours): never read the terminal; the request waits.
        const dir = options.configDir ? ` --config-dir ${options.configDir}` : '';
        out.line(`answer it with 'peerdeck pair --accept ${e.deviceId.slice(0, 7)} --code NNNNNN${dir}' or 'peerdeck pair --reject ${e.deviceId.slice(0, 7)}${dir}'`);
        return;
      }
      const name = toTerminalSafe(e.name, { maxLength: 64 });
      void prompter.confirm(`Pair with ${name} [${e.deviceId.slice(0, 7)}]? Accept only if its screen shows ${formatPairingCode(e.code)}.`).then((yes) => {
        try {
          engine.answerPairing(e.pairingId, yes);
        } catch (err) {
          out.error('ERR_PAIRING_ABORTED', err instanceof Error ? err.message : String(err));
        }
      });
    });
    if (!out.json) out.line(`peerdeck ${engine.selfId.slice(0, 7)} running; Ctrl-C to stop`);
    const code = await signals.done;
    signals.dispose();
    off();
    prompter?.close();
    await owned.close();
    return code;
  },
};
