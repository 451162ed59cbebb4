import { HotstandbyError } from '../errors/hotstandby-error.js';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runProgram, runProgramAllowFailure } from '../postgres/process-runner.js';

// A certificate and its private key, as PEM text.
export interface KeyPair {
  cert: string;
  key: string;
}

// A CA that signs: its certificate, and the file its key is in (read by openssl there), or the key itself when it is
// not in a file yet (a CA made in this run: it goes into a private temporary file only while signing).
export interface SigningAuthority {
  cert: string;
  keyFile?: string;
  key?: string;
}

// How long the CA and the server certificates it signs are valid.
const CERTIFICATE_DAYS = 3650;

// The extensions of the CA and of a server certificate (openssl reads them from a file; -addext needs OpenSSL 1.1.1).
// An address goes in as an iPAddress name, which libpq matches from 14; before, libpq looks only at dNSName entries
// and, finding none, at the CN, which is the same address: verify-full works with every libpq from 10.
function extensionsConfig(serverNames: readonly string[] = []): string {
  const lines = [
    '[req]',
    'distinguished_name = dn',
    '[dn]',
    '[ca]',
    'basicConstraints = critical, CA:TRUE, pathlen:0',
    'keyUsage = critical, keyCertSign, cRLSign',
    'subjectKeyIdentifier = hash',
  ];
  if (serverNames.length > 0) {
    const san = serverNames.map((name) => (isIP(name) ? `IP:${name}` : `DNS:${name}`)).join(', ');
    lines.push(
      '[server]',
      'basicConstraints = critical, CA:FALSE',
      'keyUsage = critical, digitalSignature',
      'extendedKeyUsage = serverAuth',
      `subjectAltName = ${san}`,
      'authorityKeyIdentifier = keyid',
    );
  }
  return `${lines.join('\n')}\n`;
}

// Run fn in a fresh private (0700) directory that is removed afterwards whatever happens.
async function inPrivateDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hotstandby-tls-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// openssl on this machine; it reads and writes files only, so no key ever appears in a command line.
// Missing, it is one message saying what needs it and the two ways out.
async function openssl(args: readonly string[], purpose: string): Promise<void> {
  try {
    await runProgram('openssl', args, { purpose, input: '' });
  } catch (error) {
    if ((error as { cause?: NodeJS.ErrnoException }).cause?.code !== 'ENOENT') throw error;
    throw new HotstandbyError('BINARY_MISSING', 'TLS for replication between hosts needs the openssl program on this machine, and it is not installed', {
      fix: 'install it (Debian/Ubuntu: apt-get install openssl), or set "tls": false in the config to replicate between hosts unencrypted',
    });
  }
}

// A new ECDSA P-256 key (what every PostgreSQL from 10 and libpq accept), written to file.
async function newKey(file: string, purpose: string): Promise<void> {
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file], purpose);
}

// A new self-signed CA for a cluster, valid CERTIFICATE_DAYS days.
export async function makeCertificateAuthority(commonName: string): Promise<KeyPair> {
  return inPrivateDir(async (dir) => {
    const key = path.join(dir, 'ca.key');
    const conf = path.join(dir, 'openssl.cnf');
    await writeFile(conf, extensionsConfig(), { mode: 0o600 });
    await newKey(key, 'openssl (the CA key)');
    const cert = path.join(dir, 'ca.crt');
    const subject = `/CN=${commonName}`;
    await openssl(
      ['req', '-new', '-x509', '-sha256', '-key', key, '-subj', subject, '-days', String(CERTIFICATE_DAYS), '-config', conf, '-extensions', 'ca', '-out', cert],
      'openssl (the CA certificate)',
    );
    return { cert: await readFile(cert, 'utf8'), key: await readFile(key, 'utf8') };
  });
}

// A new key and a certificate for a server, signed by the CA: subjectAltName holds the names clients connect to,
// CN the first of them.
export async function issueServerCertificate(authority: SigningAuthority, serverNames: readonly string[]): Promise<KeyPair> {
  const serverName = serverNames[0]!;
  return inPrivateDir(async (dir) => {
    const key = path.join(dir, 'server.key');
    const conf = path.join(dir, 'openssl.cnf');
    const caCert = path.join(dir, 'ca.crt');
    const request = path.join(dir, 'server.csr');
    const cert = path.join(dir, 'server.crt');
    await writeFile(conf, extensionsConfig(serverNames), { mode: 0o600 });
    await writeFile(caCert, authority.cert, { mode: 0o600 });
    const caKey = authority.keyFile ?? path.join(dir, 'ca.key');
    if (authority.keyFile === undefined) await writeFile(caKey, authority.key ?? '', { mode: 0o600 });
    await newKey(key, `openssl (the key for ${serverName})`);
    await openssl(['req', '-new', '-sha256', '-key', key, '-subj', `/CN=${serverName}`, '-config', conf, '-out', request], `openssl (the request for ${serverName})`);
    const serial = `0x${randomBytes(16).toString('hex')}`;
    await openssl(
      [
        'x509',
        '-req',
        '-sha256',
        '-in',
        request,
        '-CA',
        caCert,
        '-CAkey',
        caKey,
        '-set_serial',
        serial,
        '-days',
        String(CERTIFICATE_DAYS),
        '-extfile',
        conf,
        '-extensions',
        'server',
        '-out',
        cert,
      ],
      `openssl (signing the certificate for ${serverName})`,
    );
    return { cert: await readFile(cert, 'utf8'), key: await readFile(key, 'utf8') };
  });
}

// Whether a certificate is signed by the CA, valid now, and names every one of the servers' names (as libpq's
// verify-full checks it).
export async function certificateFits(caCert: string, cert: string, serverNames: readonly string[]): Promise<boolean> {
  return inPrivateDir(async (dir) => {
    const caFile = path.join(dir, 'ca.crt');
    const certFile = path.join(dir, 'server.crt');
    await writeFile(caFile, caCert, { mode: 0o600 });
    await writeFile(certFile, cert, { mode: 0o600 });
    for (const serverName of serverNames) {
      const name = isIP(serverName) ? ['-verify_ip', serverName] : ['-verify_hostname', serverName];
      const result = await runProgramAllowFailure('openssl', ['verify', '-CAfile', caFile, '-purpose', 'sslserver', ...name, certFile], { input: '' });
      if (result.exitCode !== 0) return false;
    }
    return true;
  });
}
