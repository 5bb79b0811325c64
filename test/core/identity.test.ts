import crypto, { X509Certificate } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { configPaths, ensureConfigDir, type ConfigPaths } from '../../src/core/config-dir.js';
import {
  createIdentityInMemory,
  identityFromPem,
  IDENTITY_KEY_BITS,
  loadIdentity,
  loadOrCreateIdentity,
} from '../../src/core/identity.js';
import { deviceIdFromCertDer, parseDeviceId } from '../../src/protocol/device-id.js';
import {
  FIXTURE_IDENTITY_COUNT,
  fixtureIdentity,
  installFixtureIdentity,
} from '../../fixtures/identities/index.js';

let root: string;
let paths: ConfigPaths;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'peerdeck-identity-'));
  paths = await ensureConfigDir(path.join(root, 'cfg'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(root, { recursive: true, force: true });
});

const mode = async (p: string) => (await stat(p)).mode & 0o777;
const snapshot = async (p: ConfigPaths) => ({
  key: await readFile(p.keyFile).catch(() => null),
  cert: await readFile(p.certFile).catch(() => null),
  files: (await readdir(p.identityDir)).sort(),
});

async function expectCode(promise: Promise<unknown>, code: string): Promise<Error> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e as Error & { code?: string },
  );
  expect(err, `expected ${code}`).toBeInstanceOf(Error);
  expect((err as { code?: string }).code).toBe(code);
  return err as Error;
}

describe('creating and loading', () => {
  it('creates once, then loads the same identity (same cert, key and device ID)', async () => {
    const first = await loadOrCreateIdentity(paths);
    expect(first.created).toBe(true);
    const again = await loadOrCreateIdentity(paths);
    const loaded = await loadIdentity(paths);
    for (const id of [again, loaded]) {
      expect(id.created).toBe(false);
      expect(id.deviceId).toBe(first.deviceId);
      expect(id.certPem).toBe(first.certPem);
      expect(id.keyPem).toBe(first.keyPem);
      expect(id.certDer.equals(first.certDer)).toBe(true);
    }
    expect(await readFile(paths.certFile, 'utf8')).toBe(first.certPem);
    expect(await readFile(paths.keyFile, 'utf8')).toBe(first.keyPem);
  });

  it('derives the device ID from the certificate DER, in canonical form', async () => {
    const id = await loadOrCreateIdentity(paths);
    const der = Buffer.from(new X509Certificate(await readFile(paths.certFile)).raw);
    expect(id.certDer.equals(der)).toBe(true);
    expect(id.deviceId).toBe(deviceIdFromCertDer(der));
    expect(parseDeviceId(id.deviceId)).toBe(id.deviceId);
    expect(parseDeviceId(id.deviceId.toLowerCase().replace(/-/g, ''))).toBe(id.deviceId);
  });

  it('writes the key 0600 inside a 0700 identity dir, and leaves no staging files', async () => {
    await loadOrCreateIdentity(paths);
    expect(await mode(paths.keyFile)).toBe(0o600);
    expect(await mode(paths.identityDir)).toBe(0o700);
    expect((await readdir(paths.identityDir)).sort()).toEqual(['cert.pem', 'key.pem']);
    expect((await readdir(paths.root)).filter((n) => n.startsWith('.identity-new-'))).toEqual([]);
  });

  it('makes the certificate the design asks for: RSA-3072, SHA-256, CN peerdeck only, far-future, random serial', async () => {
    const id = await loadOrCreateIdentity(paths);
    const cert = new X509Certificate(id.certPem);
    expect(cert.subject).toBe('CN=peerdeck');
    expect(cert.issuer).toBe('CN=peerdeck');
    expect(new Date(cert.validTo).getUTCFullYear()).toBe(9999);
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(IDENTITY_KEY_BITS);
    expect(IDENTITY_KEY_BITS).toBe(3072);
    expect(cert.verify(cert.publicKey)).toBe(true);
    // sha256WithRSAEncryption OID 1.2.840.113549.1.1.11
    expect(id.certDer.includes(Buffer.from('06092a864886f70d01010b', 'hex'))).toBe(true);
    expect(cert.serialNumber).toMatch(/^[0-9A-F]{32}$/);
    expect(cert.ca).toBe(false);
  });

  it("generates keys through Node's native generateKeyPair, not forge's pure-JS path", async () => {
    const spy = vi.spyOn(crypto, 'generateKeyPair');
    await createIdentityInMemory();
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0]?.[0]).toBe('rsa');
  });

  it('refuses to load when there is no identity, and creates nothing', async () => {
    await expectCode(loadIdentity(paths), 'ERR_IDENTITY_MISSING');
    expect(await readdir(paths.identityDir)).toEqual([]);
  });

  it('creates the config dir tree when it does not exist yet', async () => {
    const fresh = configPaths(path.join(root, 'a', 'b'));
    const id = await loadOrCreateIdentity(fresh);
    expect(id.created).toBe(true);
    expect(await mode(fresh.identityDir)).toBe(0o700);
  });

  it('still creates an identity when identity/ holds a stray file (file-by-file fallback)', async () => {
    await writeFile(path.join(paths.identityDir, '.DS_Store'), 'x');
    const id = await loadOrCreateIdentity(paths);
    expect(id.created).toBe(true);
    expect((await loadIdentity(paths)).deviceId).toBe(id.deviceId);
    expect(await mode(paths.keyFile)).toBe(0o600);
    expect((await readdir(paths.identityDir)).sort()).toEqual(['.DS_Store', 'cert.pem', 'key.pem']);
  });

  it('two racing creators end with one identity, created exactly once', async () => {
    const [a, b] = await Promise.all([loadOrCreateIdentity(paths), loadOrCreateIdentity(paths)]);
    expect(a.deviceId).toBe(b.deviceId);
    expect([a.created, b.created].filter(Boolean)).toHaveLength(1);
    expect((await loadIdentity(paths)).deviceId).toBe(a.deviceId);
  });

  it('cleans up an old staging dir left by a crash before the rename', async () => {
    const stale = path.join(paths.root, '.identity-new-crashed');
    await mkdir(stale, { mode: 0o700 });
    await writeFile(path.join(stale, 'key.pem'), 'half', { mode: 0o600 });
    const old = new Date(Date.now() - 3600_000);
    await utimes(stale, old, old);
    await loadOrCreateIdentity(paths);
    expect((await readdir(paths.root)).filter((n) => n.startsWith('.identity-new-'))).toEqual([]);
  });
});

describe('refusing a bad identity (and never replacing it)', () => {
  beforeEach(async () => {
    await installFixtureIdentity(0, paths);
  });

  async function expectRefused(code: string, file?: string) {
    const before = await snapshot(paths);
    const err = await expectCode(loadOrCreateIdentity(paths), code);
    if (file) expect(err.message).toContain(file);
    await expectCode(loadIdentity(paths), code);
    expect(await snapshot(paths)).toEqual(before);
    return err;
  }

  it('loads an installed fixture as itself', async () => {
    const id = await loadOrCreateIdentity(paths);
    expect(id.deviceId).toBe(fixtureIdentity(0).deviceId);
    expect(id.created).toBe(false);
  });

  it('refuses a key readable by others (0644) with ERR_IDENTITY_INSECURE naming the file and chmod 600', async () => {
    await chmod(paths.keyFile, 0o644);
    const err = await expectRefused('ERR_IDENTITY_INSECURE', paths.keyFile);
    expect(err.message).toContain('chmod 600');
    expect(await mode(paths.keyFile)).toBe(0o644);
  });

  it('refuses a key writable by group (0620)', async () => {
    await chmod(paths.keyFile, 0o620);
    await expectRefused('ERR_IDENTITY_INSECURE', paths.keyFile);
  });

  it('refuses a corrupt key, naming the key file', async () => {
    await writeFile(paths.keyFile, '-----BEGIN PRIVATE KEY-----\nnot base64 at all\n-----END PRIVATE KEY-----\n');
    await expectRefused('ERR_IDENTITY_CORRUPT', paths.keyFile);
  });

  it('refuses a truncated key, naming the key file', async () => {
    const pem = await readFile(paths.keyFile, 'utf8');
    await writeFile(paths.keyFile, pem.slice(0, pem.length / 2));
    await expectRefused('ERR_IDENTITY_CORRUPT', paths.keyFile);
  });

  it('refuses a corrupt certificate, naming the certificate file', async () => {
    const pem = await readFile(paths.certFile, 'utf8');
    const lines = pem.split('\n');
    lines[5] = 'A'.repeat(lines[5]!.length); // damage the DER in the middle
    await writeFile(paths.certFile, lines.join('\n'));
    await expectRefused('ERR_IDENTITY_CORRUPT', paths.certFile);
  });

  it('refuses an empty certificate file', async () => {
    await writeFile(paths.certFile, '');
    await expectRefused('ERR_IDENTITY_CORRUPT', paths.certFile);
  });

  it('refuses a certificate whose key is not the key on disk', async () => {
    await writeFile(paths.certFile, fixtureIdentity(1).certPem);
    await expectRefused('ERR_IDENTITY_CORRUPT', paths.certFile);
  });

  it('refuses a half identity (key without cert) instead of generating over it', async () => {
    await rm(paths.certFile);
    await expectRefused('ERR_IDENTITY_CORRUPT', paths.certFile);
  });

  it('refuses a half identity (cert without key) instead of generating over it', async () => {
    await rm(paths.keyFile);
    await expectRefused('ERR_IDENTITY_CORRUPT', paths.keyFile);
  });

  it('refuses an identity dir others can write', async () => {
    await chmod(paths.identityDir, 0o777);
    await expectRefused('ERR_CONFIG_DIR_INSECURE');
  });
});

describe('in-memory and fixture identities', () => {
  it('createIdentityInMemory makes distinct, valid identities without touching disk', async () => {
    const [a, b] = await Promise.all([createIdentityInMemory(), createIdentityInMemory()]);
    expect(a.deviceId).not.toBe(b.deviceId);
    expect(a.created).toBe(true);
    expect(identityFromPem(a.certPem, a.keyPem).deviceId).toBe(a.deviceId);
  });

  it('fixtures are distinct, valid and check like loaded identities', () => {
    const ids = new Set<string>();
    for (let i = 0; i < FIXTURE_IDENTITY_COUNT; i++) {
      const id = fixtureIdentity(i);
      expect(new X509Certificate(id.certPem).publicKey.asymmetricKeyDetails?.modulusLength).toBe(3072);
      ids.add(id.deviceId);
    }
    expect(ids.size).toBe(FIXTURE_IDENTITY_COUNT);
    expect(() => fixtureIdentity(FIXTURE_IDENTITY_COUNT)).toThrow(RangeError);
  });

  it('identityFromPem refuses a mismatched pair with ERR_IDENTITY_CORRUPT', () => {
    let code: string | undefined;
    try {
      identityFromPem(fixtureIdentity(0).certPem, fixtureIdentity(1).keyPem);
    } catch (e) {
      code = (e as { code?: string }).code;
    }
    expect(code).toBe('ERR_IDENTITY_CORRUPT');
  });
});
