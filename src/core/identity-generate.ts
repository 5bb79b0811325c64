/**
 * Makes a new identity's key pair and self-signed certificate with node-forge
 * (the only file that imports it; identity.ts loads this one on demand, so
 * no other command pays for loading forge). See identity.ts for the choices:
 * RSA through Node's native key generation, SHA-256, random serial, the CN
 * only, fixed validity 2000–9999.
 */
import { randomBytes } from 'node:crypto';
import forge from 'node-forge';

const NOT_BEFORE = new Date('2000-01-01T00:00:00Z');
const NOT_AFTER = new Date('9999-12-31T23:59:59Z');

/** A new key pair and self-signed certificate, as PEM (key in PKCS#8). */
export async function generateIdentityPems(opts: { readonly bits: number; readonly commonName: string }): Promise<{ certPem: string; keyPem: string }> {
  const keys = await new Promise<forge.pki.rsa.KeyPair>((resolve, reject) => {
    // With a callback and no custom PRNG, forge uses Node's async native generateKeyPair.
    forge.pki.rsa.generateKeyPair({ bits: opts.bits, e: 0x10001 }, (err, pair) =>
      err ? reject(err) : resolve(pair),
    );
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = randomSerialHex();
  cert.validity.notBefore = NOT_BEFORE;
  cert.validity.notAfter = NOT_AFTER;
  const name = [{ name: 'commonName', value: opts.commonName }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  const keyAsn1 = forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(keys.privateKey));
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyInfoToPem(keyAsn1) };
}

/** 16 random bytes, positive and without a leading zero byte (RFC 5280: ≤ 20 octets, positive). */
function randomSerialHex(): string {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x40;
  return b.toString('hex');
}

