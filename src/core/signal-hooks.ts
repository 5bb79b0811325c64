/**
 * conf writes through `atomically`, which loads `when-exit`: at import it hooks
 * SIGINT, SIGTERM, SIGHUP and a dozen other signals with handlers that run its
 * clean-ups and then re-raise the signal. In a process that handles those
 * signals itself (shut the engine down, send BYE, restore the terminal) the
 * re-raised signal can arrive after our handlers are gone and kill the process
 * mid-shutdown — seen as a dashboard dying on SIGHUP with its lock left behind.
 * Our own shutdown does the clean-up that matters, so those hooks are removed.
 */
const SIGNALS: readonly NodeJS.Signals[] = [
  'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGALRM', 'SIGABRT', 'SIGVTALRM', 'SIGXCPU', 'SIGXFSZ', 'SIGUSR2', 'SIGTRAP',
  'SIGSYS', 'SIGQUIT', 'SIGIOT', 'SIGIO', 'SIGPOLL', 'SIGPWR', 'SIGSTKFLT',
];
/** The body of when-exit's signal handler (node_modules/when-exit/dist/node/interceptor.js). */
const RE_RAISING_HOOK = /this\.exit\(signal\)/;

/** Remove when-exit's re-raising signal handlers; returns how many were removed. */
export function removeReRaisingSignalHooks(): number {
  let removed = 0;
  for (const sig of SIGNALS) {
    for (const fn of process.listeners(sig)) {
      if (RE_RAISING_HOOK.test(String(fn))) {
        process.off(sig, fn);
        removed++;
      }
    }
  }
  return removed;
}
