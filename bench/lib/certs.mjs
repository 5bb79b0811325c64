// Mutual-TLS certificates for the openssl and bare-Node cases, made with openssl:
// an ECDSA P-256 CA, and a server and a client certificate (SAN IP 127.0.0.1) it signs.
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { run } from './proc.mjs';

export function makeCerts(dir) {
  mkdirSync(dir, { recursive: true });
  const p = (f) => path.join(dir, f);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  run('openssl', ['req', '-x509', ...ec, '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '7', '-subj', '/CN=peerdeck-bench-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  writeFileSync(p('leaf.ext'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const who of ['server', 'client']) {
    run('openssl', ['req', ...ec, '-keyout', p(`${who}.key`), '-out', p(`${who}.csr`), '-subj', `/CN=peerdeck-bench-${who}`]);
    run('openssl', ['x509', '-req', '-in', p(`${who}.csr`), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial',
      '-out', p(`${who}.pem`), '-days', '7', '-extfile', p('leaf.ext')]);
  }
  return { dir, ca: p('ca.pem'), serverCert: p('server.pem'), serverKey: p('server.key'), clientCert: p('client.pem'), clientKey: p('client.key') };
}
