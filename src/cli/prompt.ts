/**
 * Line prompts on standard input, one at a time (for pairing confirmations).
 * Standard input is read only while a question is open, so a process that is
 * later moved to the background does not sit reading its terminal.
 */
import { createInterface } from 'node:readline';

export class Prompter {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly open = new Set<() => void>();

  constructor(
    private readonly input: NodeJS.ReadableStream = process.stdin,
    private readonly output: NodeJS.WritableStream = process.stderr,
  ) {}

  /** Ask a yes/no question; EOF, close() or anything but y/yes counts as no. */
  confirm(question: string): Promise<boolean> {
    const run = () =>
      new Promise<boolean>((resolve) => {
        if (this.closed) return resolve(false);
        const rl = createInterface({ input: this.input, output: this.output, terminal: false });
        let answered = false;
        const finish = (yes: boolean) => {
          if (answered) return;
          answered = true;
          this.open.delete(cancel);
          rl.close();
          resolve(yes);
        };
        const cancel = () => finish(false);
        this.open.add(cancel);
        rl.once('close', cancel);
        this.output.write(`${question} [y/N] `);
        rl.once('line', (answer) => finish(/^\s*y(es)?\s*$/i.test(answer)));
      });
    const p = this.queue.then(run, run);
    this.queue = p;
    return p;
  }

  close(): void {
    this.closed = true;
    for (const cancel of [...this.open]) cancel();
  }
}
