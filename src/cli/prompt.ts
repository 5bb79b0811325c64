/** Line prompts on standard input, one at a time (for pairing confirmations). */
import { createInterface, type Interface } from 'node:readline';

export class Prompter {
  private rl: Interface | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly input: NodeJS.ReadableStream = process.stdin,
    private readonly output: NodeJS.WritableStream = process.stderr,
  ) {}

  /** Ask a yes/no question; EOF or anything but y/yes counts as no. */
  confirm(question: string): Promise<boolean> {
    const run = () =>
      new Promise<boolean>((resolve) => {
        this.rl ??= createInterface({ input: this.input, output: this.output, terminal: false });
        const rl = this.rl;
        const onClose = () => resolve(false);
        rl.once('close', onClose);
        this.output.write(`${question} [y/N] `);
        rl.once('line', (answer) => {
          rl.off('close', onClose);
          resolve(/^\s*y(es)?\s*$/i.test(answer));
        });
      });
    const p = this.queue.then(run, run);
    this.queue = p;
    return p;
  }

  close(): void {
    this.rl?.close();
  }
}
