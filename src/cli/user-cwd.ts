/**
 * Paths on the command line are the user's: under `npm start -- …` npm runs us
 * in the package folder and keeps where the user stood in INIT_CWD, so move
 * there first. Only when npm started us (npm_lifecycle_event is set) and that
 * folder exists; otherwise the working directory is left alone.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';

export function userWorkingDir(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const init = env.INIT_CWD;
  if (!init || !env.npm_lifecycle_event) return cwd;
  try {
    return statSync(init).isDirectory() ? resolve(init) : cwd;
  } catch {
    return cwd;
  }
}

/** chdir to the user's directory (see above); never throws. */
export function enterUserWorkingDir(): void {
  const dir = userWorkingDir();
  if (dir === process.cwd()) return;
  try {
    process.chdir(dir);
  } catch {
    // stay where we are
  }
}
