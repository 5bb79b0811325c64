/** Wait for SIGINT / SIGTERM / SIGHUP; resolves with the exit code each one means. */
import { ExitCode } from './exit-codes.js';

export function untilSignal(): { done: Promise<number>; dispose(): void } {
  let resolve!: (code: number) => void;
  const done = new Promise<number>((r) => (resolve = r));
  const onInt = () => resolve(ExitCode.SIGINT);
  const onTerm = () => resolve(ExitCode.SIGTERM);
  const onHup = () => resolve(ExitCode.SIGHUP);
  process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);
  process.once('SIGHUP', onHup);
  return {
    done,
    dispose() {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      process.off('SIGHUP', onHup);
    },
  };
}
