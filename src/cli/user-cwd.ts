/**
 * Paths on the command line are the user's: under `npm start -- …` npm runs us
 * in the package folder and keeps where the user stood in INIT_CWD, so move
 * there first. Only when npm started us (npm_lifecycle_event is set), we run
 * in our own package folder (INIT_CWD is inherited by everything an npm script
 * starts, so elsewhere it says nothing about us) and that folder exists;
 * otherwise the working directory is left alone.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';

export function userWorkingDir(packageRoot: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const init = env.INIT_CWD;
  if (!init || !env.npm_lifecycle_event || resolve(cwd) !== resolve(packageRoot)) return cwd;
  try {
    return statSync(init).isDirectory() ? resolve(init) : cwd;
  } catch {
    return cwd;
  }
}

/** chdir to the user's directory (see above); never throws. */
export function enterUserWorkingDir(packageRoot: string): void {
  const dir = userWorkingDir(packageRoot);
  if (dir === process.cwd()) return;
  try {
    process.chdir(dir);
  } catch {
    // stay where we are
  }
}
