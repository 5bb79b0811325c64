/**
 * A subcommand: its own flag set (a chosen subset of the global flags plus its
 * own), a usage line, and a run function returning an exit code.
 */
import meow from 'meow';
import { globalFlagSpecs, parseGlobalOptions, type GlobalFlagName, type GlobalOptions } from './global-flags.js';
import { EXIT_CODE_TABLE } from './exit-codes.js';

export interface FlagSpec {
  type: 'string' | 'number' | 'boolean';
  isMultiple?: boolean;
  default?: unknown;
  shortFlag?: string;
  help: string;
}

export interface CommandContext {
  input: string[];
  flags: Record<string, unknown>;
  options: GlobalOptions;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface Command {
  name: string;
  summary: string;
  /** e.g. "PEER MESSAGE" */
  args?: string;
  /** Extra help lines after the flags. */
  details?: string[];
  globals: readonly GlobalFlagName[];
  flags?: Record<string, FlagSpec>;
  /** Min and max positional arguments. */
  minArgs?: number;
  maxArgs?: number;
  run(ctx: CommandContext): Promise<number>;
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function flagLine(name: string, spec: FlagSpec): string {
  const arg = spec.type === 'boolean' ? '' : spec.type === 'number' ? ' N' : ' VALUE';
  const flag = name === 'discovery' ? '--no-discovery' : `--${kebab(name)}${arg}`;
  return `    ${flag.padEnd(26)} ${spec.help}`;
}

export function commandFlags(cmd: Command): Record<string, FlagSpec> {
  const out: Record<string, FlagSpec> = {};
  for (const g of cmd.globals) out[g] = globalFlagSpecs[g] as FlagSpec;
  return { ...out, ...cmd.flags };
}

export function commandHelp(cmd: Command): string {
  const flags = commandFlags(cmd);
  const lines = [
    `  ${cmd.summary}`,
    '',
    '  Usage',
    `    $ peerdeck ${cmd.name}${cmd.args ? ` ${cmd.args}` : ''} [flags]`,
    '',
    '  Flags',
    ...Object.entries(flags).map(([n, s]) => flagLine(n, s)),
    `    ${'--help'.padEnd(26)} show this help`,
  ];
  if (cmd.details?.length) lines.push('', ...cmd.details.map((d) => `  ${d}`));
  lines.push('', '  Exit codes', ...EXIT_CODE_TABLE.map((e) => `    ${String(e.code).padEnd(4)} ${e.meaning}`));
  return lines.join('\n');
}

/** Parse argv for one command with meow (unknown flags and bad types exit 2). */
export function parseCommandLine(cmd: Command, argv: string[], importMeta: ImportMeta) {
  const specs = commandFlags(cmd);
  const meowFlags: Record<string, { type: FlagSpec['type']; isMultiple?: boolean; default?: unknown; shortFlag?: string }> = {};
  for (const [name, s] of Object.entries(specs)) {
    meowFlags[name] = { type: s.type };
    if (s.isMultiple) meowFlags[name].isMultiple = true;
    if (s.default !== undefined) meowFlags[name].default = s.default;
    if (s.shortFlag) meowFlags[name].shortFlag = s.shortFlag;
  }
  const cli = meow(commandHelp(cmd), {
    importMeta,
    argv,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    flags: meowFlags as any,
    allowUnknownFlags: false,
    autoVersion: false,
    booleanDefault: undefined,
  });
  return { input: cli.input, flags: cli.flags as Record<string, unknown>, options: parseGlobalOptions(cli.flags) };
}
