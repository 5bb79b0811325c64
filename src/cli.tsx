#!/usr/bin/env node
/**
 * peerdeck command line: the subcommand is parsed first and each command gets
 * its own flag set (src/cli/commands). Headless commands never load Ink or
 * React; the dashboard is imported dynamically.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { commands } from './cli/commands/index.js';
import { parseCommandLine, type Command } from './cli/command.js';
import { EXIT_CODE_TABLE, ExitCode } from './cli/exit-codes.js';
import { errorCodeOf, errorMessageOf, exitCodeFor } from './cli/error-exit.js';
import { createOutput } from './cli/output.js';
import { dashboardCommand } from './cli/commands/dashboard.js';
import { stopWhenStdoutCloses } from './cli/signals.js';
import { enterUserWorkingDir } from './cli/user-cwd.js';
import { closest } from './cli/suggest.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function topHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length + (c.args ? c.args.length + 1 : 0)));
  return [
    'peerdeck — peer-to-peer, end-to-end encrypted file transfer and chat',
    '',
    'Usage',
    '  $ peerdeck [flags]              open the dashboard',
    '  $ peerdeck COMMAND [args] [flags]',
    '',
    'Commands',
    ...commands.map((c) => `  ${`${c.name}${c.args ? ` ${c.args}` : ''}`.padEnd(width + 2)}${c.summary}`),
    '',
    "Run 'peerdeck COMMAND --help' for a command's flags.",
    '',
    'Exit codes',
    ...EXIT_CODE_TABLE.map((e) => `  ${String(e.code).padEnd(4)} ${e.meaning}`),
    '',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  stopWhenStdoutCloses();
  enterUserWorkingDir(fileURLToPath(new URL('..', import.meta.url)));
  const first = argv[0];
  if (first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(topHelp());
    return ExitCode.OK;
  }
  if (first === '--version' || first === '-v') {
    process.stdout.write(`${version()}\n`);
    return ExitCode.OK;
  }
  let cmd: Command;
  let rest: string[];
  if (first === undefined || first.startsWith('-')) {
    cmd = dashboardCommand;
    rest = argv;
  } else {
    const found = commands.find((c) => c.name === first);
    if (!found) {
      const guess = closest(first, commands.map((c) => c.name));
      process.stderr.write(`peerdeck: unknown command ${JSON.stringify(first)}${guess ? `; did you mean '${guess}'?` : ''} (see 'peerdeck --help')\n`);
      return ExitCode.USAGE;
    }
    cmd = found;
    rest = argv.slice(1);
  }
  let json = rest.includes('--json');
  try {
    const parsed = parseCommandLine(cmd, rest, import.meta);
    json = parsed.options.json;
    const n = parsed.input.length;
    if ((cmd.minArgs !== undefined && n < cmd.minArgs) || (cmd.maxArgs !== undefined && n > cmd.maxArgs)) {
      process.stderr.write(`peerdeck ${cmd.name}: expected ${cmd.args ?? 'no arguments'}; see 'peerdeck ${cmd.name} --help'\n`);
      return ExitCode.USAGE;
    }
    return await cmd.run({ ...parsed, stdout: process.stdout, stderr: process.stderr });
  } catch (err) {
    const out = createOutput(json, process.stdout, process.stderr);
    out.error(errorCodeOf(err), cmd === dashboardCommand ? errorMessageOf(err) : `${cmd.name}: ${errorMessageOf(err)}`);
    return exitCodeFor(err);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`peerdeck: ${errorMessageOf(err)}\n`);
    process.exitCode = ExitCode.RUNTIME;
  },
);
