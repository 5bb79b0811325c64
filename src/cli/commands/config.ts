import type { Command } from '../command.js';
import { UsageError } from '../usage-error.js';
import { createOutput } from '../output.js';
import { toTerminalSafe } from '../../protocol/terminal-safe.js';
import { SETTINGS, parseSettingText, settingSpec } from '../../core/settings/settings-table.js';
import type { SetResult, SettingEntry } from '../../core/settings/settings-service.js';
import { withSettings } from '../../runtime.js';

const SUBCOMMANDS = ['list', 'get', 'set', 'unset'] as const;

function appliedText(r: SetResult): string {
  const spec = settingSpec(r.key);
  switch (r.applied) {
    case 'now':
      return 'the running engine uses it now';
    case 'restart':
      return 'saved; takes effect at restart';
    case 'overridden':
      return `saved; the running engine keeps the value from its ${spec.flag} flag or ${spec.env}`;
    case 'saved':
      return 'saved';
  }
}

export const configCommand: Command = {
  name: 'config',
  summary: 'show and change the settings this identity remembers',
  args: 'list | get KEY | set KEY VALUE | unset KEY',
  globals: ['configDir', 'json'],
  minArgs: 1,
  details: [
    'Settings (a flag or environment variable overrides one for a single run):',
    ...SETTINGS.map((s) => `  ${s.key.padEnd(15)} ${s.summary}; ${s.flag}, ${s.env}${s.live ? '' : ' (at restart)'}`),
    'A list is comma- or space-separated. `unset` brings back the default.',
    "With an engine running, `set` goes to it: name, downloads and peers apply at once, the rest at restart.",
  ],
  async run({ options, input, stdout, stderr }) {
    const [sub, key, ...rest] = input;
    const out = createOutput(options.json, stdout, stderr);
    if (!SUBCOMMANDS.includes(sub as (typeof SUBCOMMANDS)[number])) {
      throw new UsageError(`config: unknown subcommand ${JSON.stringify(sub)} (${SUBCOMMANDS.join(', ')})`);
    }
    if (sub === 'list' && key !== undefined) throw new UsageError('config list takes no KEY');
    if (sub !== 'list' && key === undefined) throw new UsageError(`config ${sub} needs a KEY`);
    if ((sub === 'get' || sub === 'unset') && rest.length) throw new UsageError(`config ${sub} takes one KEY`);
    if (sub === 'set' && !rest.length) throw new UsageError(`config set ${key} needs a VALUE (use 'config unset ${key}' for the default)`);
    // Checked here, before any engine is asked: an unknown key or a bad value exits 2 and changes nothing.
    const spec = key === undefined ? undefined : settingSpec(key);
    const value = sub === 'set' ? parseSettingText(spec!, rest.join(' '), process.cwd()) : undefined;
    return withSettings(options, async (ops) => {
      const show = (e: SettingEntry) => {
        if (out.json) out.event('setting', { key: e.key, value: e.value, source: e.source, live: e.live });
        else out.line(`${e.key.padEnd(15)} ${toTerminalSafe(e.text) || '(none)'}${e.source === 'default' ? '  (default)' : ''}`);
      };
      if (sub === 'list' || sub === 'get') {
        const all = await ops.configList();
        if (sub === 'list') all.forEach(show);
        else {
          const e = all.find((x) => x.key === spec!.key)!;
          if (out.json) show(e);
          else out.line(toTerminalSafe(e.text));
        }
        return 0;
      }
      const r = sub === 'set' ? await ops.configSet({ key: spec!.key, value }) : await ops.configUnset({ key: spec!.key });
      if (out.json) out.event('setting-changed', { key: r.key, value: r.value, source: r.source, applied: r.applied });
      else out.line(`${r.key} = ${toTerminalSafe(r.text) || '(none)'}${r.source === 'default' ? ' (default)' : ''}: ${appliedText(r)}`);
      return 0;
    });
  },
};
