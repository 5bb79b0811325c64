/**
 * The per-identity config directory: where it is, what lives in it, and making
 * sure it is private before anything is read from or written to it.
 *
 * Resolution: `--config-dir` flag > `PEERDECK_CONFIG_DIR` > the directory conf
 * itself would pick for project `peerdeck` with `projectSuffix: ''` (env-paths'
 * `config` path: `$XDG_CONFIG_HOME/peerdeck` or `~/.config/peerdeck` on Linux,
 * `~/Library/Preferences/peerdeck` on macOS, `%APPDATA%\peerdeck\Config` on
 * Windows). Two config dirs share nothing: each is one identity.
 *
 * Permissions (POSIX): the root, `identity/` and `data/` are 0700. A directory
 * that others can merely read is tightened to 0700; one that others can write,
 * or that belongs to another user, is refused (`ERR_CONFIG_DIR_INSECURE`):
 * someone may have planted an identity or pins in it, so a person must look.
 */
import { constants as fsConstants } from 'node:fs';
import { access, chmod, mkdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EngineError } from './errors.js';

export const CONFIG_DIR_ENV = 'PEERDECK_CONFIG_DIR';
const PROJECT_NAME = 'peerdeck';

/** Every path inside one config dir. */
export interface ConfigPaths {
  readonly root: string;
  /** 0700; holds `key.pem` (0600) and `cert.pem`. */
  readonly identityDir: string;
  readonly keyFile: string;
  readonly certFile: string;
  /** conf's settings and pins file (0600). */
  readonly configFile: string;
  /** 0700; journals (`<name>.journal`). */
  readonly dataDir: string;
  /** The running engine's control socket. */
  readonly controlSocket: string;
  /** Held by the process that runs the engine for this identity. */
  readonly lockFile: string;
}

/** The bits of the environment that decide the default location (injectable for tests). */
export interface PlatformInfo {
  readonly platform: NodeJS.Platform;
  readonly env: NodeJS.ProcessEnv;
  readonly homedir: string;
}

export function currentPlatform(): PlatformInfo {
  return { platform: process.platform, env: process.env, homedir: os.homedir() };
}

/** The directory conf would use for `projectName: 'peerdeck', projectSuffix: ''`. */
export function defaultConfigDir(p: PlatformInfo = currentPlatform()): string {
  if (p.platform === 'darwin') return path.join(p.homedir, 'Library', 'Preferences', PROJECT_NAME);
  if (p.platform === 'win32') {
    const appData = p.env.APPDATA || path.join(p.homedir, 'AppData', 'Roaming');
    return path.join(appData, PROJECT_NAME, 'Config');
  }
  return path.join(p.env.XDG_CONFIG_HOME || path.join(p.homedir, '.config'), PROJECT_NAME);
}

/** Flag value > `PEERDECK_CONFIG_DIR` > platform default; always absolute, `~/` expanded. */
export function resolveConfigDir(flag: string | undefined, p: PlatformInfo = currentPlatform()): string {
  if (flag !== undefined) {
    if (flag.trim() === '') throw new EngineError('ERR_CONFIG_DIR', '--config-dir needs a directory path', 'usage');
    return absolute(flag, p.homedir);
  }
  const fromEnv = p.env[CONFIG_DIR_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return absolute(fromEnv, p.homedir);
  return defaultConfigDir(p);
}

function absolute(dir: string, homedir: string): string {
  if (dir === '~') return homedir;
  if (dir.startsWith('~/') || dir.startsWith('~\\')) return path.join(homedir, dir.slice(2));
  return path.resolve(dir);
}

/** The layout inside `root` (pure: touches nothing). */
export function configPaths(root: string): ConfigPaths {
  const identityDir = path.join(root, 'identity');
  return {
    root,
    identityDir,
    keyFile: path.join(identityDir, 'key.pem'),
    certFile: path.join(identityDir, 'cert.pem'),
    configFile: path.join(root, 'config.json'),
    dataDir: path.join(root, 'data'),
    controlSocket: path.join(root, 'control.sock'),
    lockFile: path.join(root, 'engine.lock'),
  };
}

/** Resolve (see `resolveConfigDir`), then create or check the directory tree. */
export async function prepareConfigDir(flag?: string, p: PlatformInfo = currentPlatform()): Promise<ConfigPaths> {
  return ensureConfigDir(resolveConfigDir(flag, p));
}

/** Create `root`, `identity/` and `data/` (0700) if missing; check them if present. */
export async function ensureConfigDir(root: string): Promise<ConfigPaths> {
  const paths = configPaths(path.resolve(root));
  await ensurePrivateDir(paths.root, true);
  await ensurePrivateDir(paths.identityDir, false);
  await ensurePrivateDir(paths.dataDir, false);
  for (const dir of [paths.root, paths.identityDir, paths.dataDir]) {
    try {
      await access(dir, fsConstants.W_OK);
    } catch (err) {
      throw configDirError(`cannot write to ${dir}: ${(err as Error).message}`, err);
    }
  }
  return paths;
}

const POSIX = process.platform !== 'win32';

/** mkdir 0700 (parents too if asked), then `checkPrivateDir`. */
export async function ensurePrivateDir(dir: string, withParents: boolean): Promise<void> {
  try {
    if (withParents) await mkdirParents(dir);
    else await mkdir(dir, { mode: 0o700 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw configDirError(`a parent of ${dir} is a file, not a directory`, err);
    if (code !== 'EEXIST') throw configDirError(`cannot create ${dir}: ${(err as Error).message}`, err);
  }
  await checkPrivateDir(dir);
}

/**
 * `mkdir -p` one level at a time. Node's `mkdir({ recursive: true })` loops
 * forever where a parent refuses to be created with ENOENT (e.g. under /proc),
 * so walk up to the nearest existing ancestor and create each level from there.
 */
async function mkdirParents(dir: string): Promise<void> {
  const missing: string[] = [];
  let at = path.resolve(dir);
  for (;;) {
    try {
      await stat(at);
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw err;
      missing.push(at);
      const up = path.dirname(at);
      if (up === at) break;
      at = up;
    }
  }
  for (const d of missing.reverse()) {
    try {
      await mkdir(d, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  if (!missing.length) {
    // It existed already: mkdir says EEXIST (or ENOTDIR) as the caller expects.
    await mkdir(dir, { mode: 0o700 });
  }
}

/** Refuse a non-directory, another user's directory or one others can write; tighten one others can read. */
export async function checkPrivateDir(dir: string): Promise<void> {
  let st;
  try {
    st = await stat(dir);
  } catch (err) {
    throw configDirError(`cannot read ${dir}: ${(err as Error).message}`, err);
  }
  if (!st.isDirectory()) throw configDirError(`${dir} exists but is not a directory`);
  if (!POSIX) return;
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) {
    throw new EngineError(
      'ERR_CONFIG_DIR_INSECURE',
      `${dir} belongs to another user (uid ${st.uid}); peerdeck keeps its identity only in a directory you own`,
    );
  }
  const perm = st.mode & 0o777;
  if (perm & 0o022) {
    throw new EngineError(
      'ERR_CONFIG_DIR_INSECURE',
      `${dir} is writable by group or others (mode ${octal(perm)}); check nothing was planted in it, then run: chmod 700 ${dir}`,
    );
  }
  if (perm & 0o077) await chmod(dir, 0o700);
}

export function octal(mode: number): string {
  return '0' + (mode & 0o777).toString(8).padStart(3, '0');
}

function configDirError(message: string, cause?: unknown): EngineError {
  return new EngineError('ERR_CONFIG_DIR', message, 'local', cause === undefined ? undefined : { cause });
}
