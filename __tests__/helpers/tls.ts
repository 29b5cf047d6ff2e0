/**
 * A certificate for the tests' https and h2 servers, made at test time (no key is checked in):
 * self-signed, valid for `localhost`, `127.0.0.1` and `::1`, so it is trusted when given as the
 * client's CA and refused (DEPTH_ZERO_SELF_SIGNED_CERT) when not.
 */
import { generate } from 'selfsigned';

export interface KeyAndCertificate {
  /** PEM private key. */
  key: string;
  /** PEM certificate, also usable as the CA that trusts it. */
  cert: string;
}

let made: Promise<KeyAndCertificate> | undefined;

/** One certificate per test process (an EC key: quick to make). */
export function testCertificate(): Promise<KeyAndCertificate> {
  made ??= generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  }).then((pems) => ({ key: pems.private, cert: pems.cert }));
  return made;
}
