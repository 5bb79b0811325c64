/**
 * Throwaway test identities: RSA-2048 self-signed certificates made with
 * node-forge (which uses Node's native key generation, ~150 ms each), created
 * on first use and cached for the life of the test process. Never used in
 * production; the real identity code lives in src/core/identity.ts.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { deviceIdFromCertDer, type DeviceId } from '../../src/protocol/device-id.js';

export interface TestIdentity {
  readonly name: string;
  readonly certPem: string;
  readonly keyPem: string;
  readonly certDer: Buffer;
  readonly deviceId: DeviceId;
}

export type TestIdentityName = 'alice' | 'bob' | 'carol' | 'mallory';

const cache = new Map<string, TestIdentity>();

function generate(name: string): TestIdentity {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01' + forge.util.bytesToHex(forge.random.getBytesSync(8));
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 24 * 3600 * 1000);
  cert.validity.notAfter = new Date(now + 365 * 24 * 3600 * 1000);
  const attrs = [{ name: 'commonName', value: `peerdeck-test-${name}` }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  const certDer = Buffer.from(new X509Certificate(certPem).raw);
  return {
    name,
    certPem,
    keyPem: forge.pki.privateKeyToPem(keys.privateKey),
    certDer,
    deviceId: deviceIdFromCertDer(certDer),
  };
}

/** The named identity, generated once per test process. */
export function testIdentity(name: TestIdentityName | string): TestIdentity {
  let id = cache.get(name);
  if (!id) {
    id = generate(name);
    cache.set(name, id);
  }
  return id;
}

export interface CertFiles {
  readonly dir: string;
  readonly certPath: string;
  readonly keyPath: string;
}

/** Write an identity as PEM files (for openssl and other external tools). */
export function writeCertFiles(id: TestIdentity, dir = mkdtempSync(join(tmpdir(), 'peerdeck-certs-'))): CertFiles {
  const certPath = join(dir, `${id.name}.crt`);
  const keyPath = join(dir, `${id.name}.key`);
  writeFileSync(certPath, id.certPem);
  writeFileSync(keyPath, id.keyPem, { mode: 0o600 });
  return { dir, certPath, keyPath };
}
