/**
 * A subcommand: its own flag set (a chosen subset of the global flags plus its
 * own), a usage line, and a run function returning an exit code.
 */
import meow from 'meow';
import { globalFlagSpecs, parseGlobalOptions, type GlobalFlagName, type GlobalOptions } from './global-flags.js';
import { UsageError } from './usage-error.js';
import { closest } from './suggest.js';

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
  lines.push('', "  Exit codes: see 'peerdeck --help'.");
  return lines.join('\n');
}

/** A flag as typed: --config-dir, or -h for a short one. */
function typed(name: string, spec: FlagSpec): string[] {
  const names = [kebab(name)];
  if (spec.type === 'boolean') names.push(`no-${kebab(name)}`);
  return names;
}

/**
 * Before meow: every flag must be one this command takes (else a usage error
 * naming the command and the closest flag), and a single-valued flag may be
 * given once.
 */
function checkFlags(cmd: Command, argv: string[], specs: Record<string, FlagSpec>): void {
  const byTyped = new Map<string, [string, FlagSpec]>();
  for (const [name, spec] of Object.entries(specs)) {
    for (const t of typed(name, spec)) byTyped.set(t, [name, spec]);
    if (spec.shortFlag) byTyped.set(spec.shortFlag, [name, spec]);
  }
  const where = cmd.name ? `peerdeck ${cmd.name}` : 'peerdeck';
  const seen = new Map<string, number>();
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!;
    if (tok === '--') break;
    if (!tok.startsWith('-') || tok === '-' || /^-\d/.test(tok)) continue;
    const bare = tok.replace(/^--?/, '').split('=')[0]!;
    if (bare === 'help' || bare === 'h') continue;
    const hit = byTyped.get(bare);
    if (!hit) {
      const guess = closest(bare, [...byTyped.keys()].filter((k) => k.length > 1));
      throw new UsageError(
        `unknown flag ${tok.split('=')[0]}${guess ? `; did you mean --${guess}?` : ''} (see '${where} --help')`,
      );
    }
    const [name, spec] = hit;
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    if (n > 1 && !spec.isMultiple) throw new UsageError(`--${kebab(name)} given more than once`);
    // A value that follows as its own word is not a flag (even if it starts with '-').
    if (spec.type !== 'boolean' && !tok.includes('=')) i++;
  }
}

/** Numbers are decimal only ("0x50", "1e3", "" and " 5" are refused), as typed. */
function strictNumber(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (!/^\d+(\.\d+)?$/.test(text)) {
    throw new UsageError(`--${kebab(name)} must be a decimal number, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

/** Parse argv for one command with meow (unknown flags and bad types exit 2). */
export function parseCommandLine(cmd: Command, argv: string[], importMeta: ImportMeta) {
  const specs = commandFlags(cmd);
  const meowFlags: Record<string, { type: FlagSpec['type']; isMultiple?: boolean; default?: unknown; shortFlag?: string }> = {};
  checkFlags(cmd, argv, specs);
  for (const [name, s] of Object.entries(specs)) {
    // Numbers reach us as typed; strictNumber() parses them.
    meowFlags[name] = { type: s.type === 'number' ? 'string' : s.type };
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
  const flags = { ...(cli.flags as Record<string, unknown>) };
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.type === 'number' && !spec.isMultiple) flags[name] = strictNumber(name, flags[name]);
  }
  return { input: cli.input, flags, options: parseGlobalOptions(flags) };
}
