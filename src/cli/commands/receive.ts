import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { formatBytes } from '../bytes.js';
import { createOutput } from '../output.js';
import { formatEvent } from '../event-format.js';
import { Prompter } from '../prompt.js';
import { canPromptOnTerminal } from '../foreground.js';
import { untilSignal } from '../signals.js';
import { onAllEvents } from '../../core/engine/operations.js';
import { resolvePeer } from '../../core/engine/peer-resolve.js';
import { toTerminalSafe } from '../../protocol/terminal-safe.js';
import { runOwnedEngine } from '../../runtime.js';

const human = formatBytes;

export const receiveCommand: Command = {
  name: 'receive',
  summary: 'run the engine headless and receive files (asks on a terminal; otherwise needs --accept)',
  globals: ['configDir', 'name', 'port', 'discoveryPort', 'broadcast', 'discovery', 'peer', 'downloads', 'json'],
  flags: {
    from: { type: 'string', help: 'take offers only from this trusted peer (others are declined)' },
    accept: { type: 'boolean', default: false, help: 'accept offers without asking (trusted peers only)' },
    once: { type: 'boolean', default: false, help: 'exit after the first accepted transfer ends' },
  },
  maxArgs: 0,
  details: ['Files land in the downloads folder (--downloads, or the setting), never overwriting: a clash becomes "name (1).ext".'],
  async run({ options, flags, stdout, stderr }) {
    const out = createOutput(options.json, stdout, stderr);
    const fromArg = flags.from as string | undefined;
    const signals = untilSignal();
    let owned;
    try {
      owned = await runOwnedEngine(options, (e) => {
        if (out.json) {
          const { type, ...fields } = e;
          out.event(type, fields);
        } else if (e.type !== 'transfer-progress') {
          const l = formatEvent(e);
          if (l) out.line(l);
        }
      }, { kind: 'receive' }, fromArg !== undefined ? [fromArg] : []);
    } catch (err) {
      signals.dispose();
      throw err;
    }
    const engine = owned.engine;
    const from = fromArg !== undefined ? resolvePeer(fromArg, engine.candidates()) : undefined;
    const prompter = process.stdin.isTTY && !out.json && flags.accept !== true ? new Prompter() : undefined;
    const accepted = new Set<string>();
    let finish: (code: number) => void = () => {};
    const firstDone = new Promise<number>((r) => (finish = r));

    const off = onAllEvents(engine, (e) => {
      if (e.type === 'offer-received') {
        const files = `${e.files.length} file${e.files.length === 1 ? '' : 's'}, ${human(e.total)}`;
        if (from && from.kind === 'peer' && e.deviceId !== from.deviceId) {
          out.line(`declined an offer from ${toTerminalSafe(e.name)} (not --from)`);
          return engine.answerOffer(e.id, false);
        }
        if (flags.accept === true) {
          accepted.add(e.id);
          return engine.answerOffer(e.id, true);
        }
        if (!prompter || !canPromptOnTerminal()) {
          out.error('ERR_DENIED', `declined ${files} from ${e.name}: run with --accept (or on a terminal in the foreground) to take offers`);
          return engine.answerOffer(e.id, false);
        }
        const list = e.files.slice(0, 10).map((f) => `    ${toTerminalSafe(f.path, { maxLength: 100 })}  ${human(f.size)}`).join('\n');
        out.line(`${toTerminalSafe(e.name)} [${e.deviceId.slice(0, 7)}] offers ${files}:\n${list}${e.files.length > 10 ? `\n    … and ${e.files.length - 10} more` : ''}`);
        void prompter.confirm('Accept?').then((yes) => {
          if (yes) accepted.add(e.id);
          engine.answerOffer(e.id, yes);
        });
        return;
      }
      // Offers from an auto-accept peer start without asking: they count for --once too.
      if (e.type === 'transfer-started' && e.direction === 'receive') accepted.add(e.id);
      if (e.type === 'transfer-done' && e.direction === 'receive' && accepted.has(e.id)) {
        if (!out.json) out.line(`received ${e.paths.map((p) => toTerminalSafe(p)).join(', ')} (${human(e.bytes)})`);
        finish(ExitCode.OK);
      }
      if (e.type === 'transfer-failed' && e.direction === 'receive' && accepted.has(e.id)) finish(ExitCode.RUNTIME);
    });
    if (!out.json) out.line(`peerdeck ${engine.selfId.slice(0, 7)} receiving into ${owned.downloadsDir}; Ctrl-C to stop`);
    const code = await (flags.once === true ? Promise.race([signals.done, firstDone]) : signals.done);
    signals.dispose();
    off();
    prompter?.close();
    await owned.close();
    return code;
  },
};
