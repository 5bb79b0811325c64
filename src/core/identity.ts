/**
 * This install's identity: a self-signed X.509 certificate and its private key.
 * The device ID is the SHA-256 of the certificate DER, so the certificate can
 * never be renewed or regenerated: losing or replacing it makes a new device.
 *
 * - Created once with node-forge (identity-generate.ts, loaded only then): RSA-3072
 *   (forge hands key generation to Node's native `generateKeyPair`, ~0.2–0.8 s
 *   here against several seconds in pure JS), SHA-256 signature, random
 *   128-bit serial, CN `peerdeck` and nothing else, validity 2000-01-01 to
 *   9999-12-31 (RFC 5280 "no well-defined expiration"; a fixed notBefore
 *   leaks no creation time).
 * - Written crash-safely: both files are written and fsynced in a private
 *   staging directory that is then renamed over the empty `identity/`, so a
 *   crash leaves either no identity or a whole one. If `identity/` is not
 *   empty (a stray file), each file is linked into place exclusively instead.
 * - Loaded strictly: a key readable or writable by group/others is refused
 *   (`ERR_IDENTITY_INSECURE`); an unparseable key or certificate, a pair that
 *   does not match, or only one of the two files is refused
 *   (`ERR_IDENTITY_CORRUPT`, naming the file). An existing identity is never
 *   replaced by a new one.
 */
import { randomBytes, createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { link, lstat, mkdtemp, open, readdir, rename, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { deviceIdFromCertDer, type DeviceId } from '../protocol/device-id.js';
import { syncDir, writeFileDurable } from '../store/durable-fs.js';
import { checkPrivateDir, ensurePrivateDir, octal, type ConfigPaths } from './config-dir.js';
import { EngineError } from './errors.js';

export interface Identity {
  readonly deviceId: DeviceId;
  readonly certPem: string;
  readonly keyPem: string;
  readonly certDer: Buffer;
  /** True when this call generated the identity. */
  readonly created: boolean;
}

export type IdentityPaths = Pick<ConfigPaths, 'identityDir' | 'keyFile' | 'certFile'>;

export const IDENTITY_KEY_BITS = 3072;
export const IDENTITY_COMMON_NAME = 'peerdeck';
/** Far above any certificate or key we write; stops a stray huge file being read. */
const MAX_PEM_BYTES = 64 * 1024;
const STAGE_PREFIX = '.identity-new-';
const STALE_STAGE_MS = 10 * 60_000;
const POSIX = process.platform !== 'win32';

/** node-forge is loaded only to create an identity: importing it costs ~20 ms of every start. */
async function generateIdentityPems(): Promise<{ certPem: string; keyPem: string }> {
  const { generateIdentityPems: generate } = await import('./identity-generate.js');
  return generate({ bits: IDENTITY_KEY_BITS, commonName: IDENTITY_COMMON_NAME });
}

/** Load the identity in `paths`, or create one if neither file exists. */
export async function loadOrCreateIdentity(paths: IdentityPaths): Promise<Identity> {
  checkLayout(paths);
  await ensurePrivateDir(paths.identityDir, true);
  if ((await presentFiles(paths)).length > 0) return loadIdentity(paths);
  const parent = path.dirname(paths.identityDir);
  await removeStaleStages(parent);
  const pems = await generateIdentityPems();
  const installed = await install(paths, pems);
  const identity = await loadIdentity(paths);
  return { ...identity, created: installed };
}

/** Load an existing identity; `ERR_IDENTITY_MISSING` if there is none. */
export async function loadIdentity(paths: IdentityPaths): Promise<Identity> {
  const present = await presentFiles(paths);
  if (present.length === 0) {
    throw new EngineError('ERR_IDENTITY_MISSING', `no identity in ${paths.identityDir}`);
  }
  if (present.length === 1) {
    const [have, missing] = present[0] === paths.certFile ? [paths.certFile, paths.keyFile] : [paths.keyFile, paths.certFile];
    throw corrupt(
      `identity is incomplete: ${have} exists but ${missing} is missing. peerdeck will not create a new identity ` +
        `over it (that would change this device's ID); restore ${missing}, or move ${paths.identityDir} away to start over`,
    );
  }
  await checkPrivateDir(paths.identityDir);
  const keyPem = await readPem(paths.keyFile, true);
  const certPem = await readPem(paths.certFile, false);
  return parseIdentity(certPem, keyPem, paths.certFile, paths.keyFile, false);
}

/** A fresh identity that lives only in memory (tests, throwaway peers). Takes a keygen (~0.2–0.8 s). */
export async function createIdentityInMemory(): Promise<Identity> {
  const { certPem, keyPem } = await generateIdentityPems();
  return parseIdentity(certPem, keyPem, '<generated certificate>', '<generated key>', true);
}

/** Check and wrap a certificate + key given as PEM text (e.g. test fixtures). */
export function identityFromPem(certPem: string, keyPem: string): Identity {
  return parseIdentity(certPem, keyPem, '<certificate PEM>', '<key PEM>', false);
}

function parseIdentity(certPem: string, keyPem: string, certName: string, keyName: string, created: boolean): Identity {
  if ((certPem.match(/-----BEGIN /g) ?? []).length !== 1 || !certPem.includes('-----BEGIN CERTIFICATE-----')) {
    throw corrupt(`${certName} must hold exactly one PEM certificate`);
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (err) {
    throw corrupt(`${certName} is not a valid certificate: ${(err as Error).message}`, err);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (err) {
    throw corrupt(`${keyName} is not a usable private key (unencrypted PEM expected): ${(err as Error).message}`, err);
  }
  if (!supportedKey(key)) throw corrupt(`${keyName} holds an unsupported key (RSA ≥ 2048, P-256 or Ed25519 expected)`);
  if (!cert.checkPrivateKey(key)) throw corrupt(`${certName} and ${keyName} do not belong together (public key mismatch)`);
  if (!cert.verify(cert.publicKey)) throw corrupt(`${certName} has an invalid self-signature`);
  const certDer = Buffer.from(cert.raw);
  return { deviceId: deviceIdFromCertDer(certDer), certPem, keyPem, certDer, created };
}

function supportedKey(key: KeyObject): boolean {
  const d = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa') return (d?.modulusLength ?? 0) >= 2048;
  if (key.asymmetricKeyType === 'ec') return d?.namedCurve === 'prime256v1';
  return key.asymmetricKeyType === 'ed25519';
}

/** Which of the two files exist (lstat: a dangling symlink counts as present, and then fails to read). */
async function presentFiles(paths: IdentityPaths): Promise<string[]> {
  const out: string[] = [];
  for (const file of [paths.certFile, paths.keyFile]) {
    try {
      await lstat(file);
      out.push(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw corrupt(`cannot read ${file}: ${(err as Error).message}`, err);
    }
  }
  return out;
}

async function readPem(file: string, secret: boolean): Promise<string> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    throw corrupt(`cannot read ${file}: ${(err as Error).message}`, err);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw corrupt(`${file} is not a regular file`);
    if (secret && POSIX) {
      const uid = process.getuid?.();
      if (uid !== undefined && st.uid !== uid) {
        throw new EngineError('ERR_IDENTITY_INSECURE', `${file} belongs to another user (uid ${st.uid}); it must be yours, mode 600`);
      }
      if (st.mode & 0o077) {
        throw new EngineError(
          'ERR_IDENTITY_INSECURE',
          `${file} is readable or writable by group or others (mode ${octal(st.mode)}); run: chmod 600 ${file}`,
        );
      }
    }
    if (st.size > MAX_PEM_BYTES) throw corrupt(`${file} is too large to be an identity file (${st.size} bytes)`);
    return await fh.readFile('utf8');
  } finally {
    await fh.close();
  }
}

function checkLayout(paths: IdentityPaths): void {
  if (path.dirname(paths.keyFile) !== paths.identityDir || path.dirname(paths.certFile) !== paths.identityDir) {
    throw new EngineError('ERR_INTERNAL', 'key and certificate must live directly in the identity directory');
  }
}

/**
 * Put a new identity in place. Returns false when another process got there
 * first (its identity stays; ours is discarded).
 */
async function install(paths: IdentityPaths, pems: { certPem: string; keyPem: string }): Promise<boolean> {
  const parent = path.dirname(paths.identityDir);
  const stage = await mkdtemp(path.join(parent, STAGE_PREFIX)); // 0700
  try {
    await writeFileDurable(path.join(stage, path.basename(paths.keyFile)), pems.keyPem, 0o600);
    await writeFileDurable(path.join(stage, path.basename(paths.certFile)), pems.certPem, 0o644);
    await syncDir(stage);
    try {
      // POSIX rename replaces an empty directory atomically and fails on a non-empty one.
      await rename(stage, paths.identityDir);
      await syncDir(parent);
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (!['ENOTEMPTY', 'EEXIST', 'ENOTDIR', 'EISDIR', 'EPERM', 'EACCES', 'EXDEV'].includes(code)) throw err;
    }
    return await installFileByFile(paths, pems);
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

/** Fallback: link each file into place exclusively, certificate first (a crash in between is refused on load). */
async function installFileByFile(paths: IdentityPaths, pems: { certPem: string; keyPem: string }): Promise<boolean> {
  for (const [file, data, mode] of [
    [paths.certFile, pems.certPem, 0o644],
    [paths.keyFile, pems.keyPem, 0o600],
  ] as const) {
    const tmp = path.join(paths.identityDir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
    await writeFileDurable(tmp, data, mode);
    try {
      await link(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    } finally {
      await unlink(tmp);
    }
  }
  await syncDir(paths.identityDir);
  return true;
}

/**
 * Staging directories left by a crash before the rename hold a key nobody ever
 * used. Only old ones go: a young one may belong to a process creating right now.
 */
async function removeStaleStages(parent: string): Promise<void> {
  for (const name of await readdir(parent)) {
    if (!name.startsWith(STAGE_PREFIX)) continue;
    const stage = path.join(parent, name);
    const st = await lstat(stage).catch(() => undefined);
    if (st && Date.now() - st.mtimeMs > STALE_STAGE_MS) await rm(stage, { recursive: true, force: true });
  }
}

function corrupt(message: string, cause?: unknown): EngineError {
  return new EngineError('ERR_IDENTITY_CORRUPT', message, 'local', cause === undefined ? undefined : { cause });
}
