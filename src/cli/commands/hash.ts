import { resolve } from 'node:path';
import type { Command } from '../command.js';
import { hashFile } from '../../core/transfer/hash-file.js';

export const hashCommand: Command = {
  name: 'hash',
  summary: "print a file's root hash (SHA-256 over its 1 MiB chunk hashes, size and chunk size)",
  args: 'FILE',
  globals: ['json'],
  minArgs: 1,
  maxArgs: 1,
  details: ['The same root a transfer verifies on arrival: compare it on both machines.'],
  async run({ input, options, stdout }) {
    const path = resolve(input[0]!);
    const r = await hashFile(path);
    if (options.json) stdout.write(`${JSON.stringify({ type: 'hash', path, ...r })}\n`);
    else stdout.write(`${r.root}  ${input[0]}\n`);
    return 0;
  },
};
