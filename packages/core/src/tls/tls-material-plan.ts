import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type ClusterSpec, findNode } from '../config/cluster-spec.js';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import type { Action } from '../executor/action.js';
import type { Machine } from '../hosts/machine.js';
import { certificateFits, issueServerCertificate, type KeyPair, makeCertificateAuthority, type SigningAuthority } from './openssl-certificates.js';
import { type NodeRef, tlsFiles, tlsMaterialKind, tlsServerNames } from './tls-decisions.js';

// Where the tool's own CA lives on this machine (its key never leaves it).
export function authorityFiles(stateDir: string): { dir: string; cert: string; key: string } {
  const dir = path.join(stateDir, 'tls');
  return { dir, cert: path.join(dir, 'ca.crt'), key: path.join(dir, 'ca.key') };
}

// A CA made in this process and not yet written, by state directory: every node planned in one run gets the same.
const madeAuthorities = new Map<string, Promise<KeyPair>>();

// The CA that signs (or, for the user's CA without its key, only vouches for) the servers' certificates, and the
// actions that keep a CA made now in <stateDir>/tls.
async function clusterAuthority(spec: ClusterSpec): Promise<{ authority: SigningAuthority; actions: Action[] }> {
  if (spec.tls?.ca) {
    const cert = await readUserFile(spec, spec.tls.ca, 'tls.ca');
    return { authority: { cert, keyFile: spec.tls.caKey }, actions: [] };
  }
  const files = authorityFiles(spec.stateDir);
  const [cert, key] = await Promise.all([readFile(files.cert, 'utf8').catch(() => undefined), readFile(files.key, 'utf8').catch(() => undefined)]);
  if (cert !== undefined && key !== undefined) return { authority: { cert, keyFile: files.key }, actions: [] };
  let made = madeAuthorities.get(spec.stateDir);
  if (!made) {
    made = makeCertificateAuthority(`hotstandby CA ${path.basename(spec.stateDir)}`);
    madeAuthorities.set(spec.stateDir, made);
    made.catch(() => madeAuthorities.delete(spec.stateDir));
  }
  const pair = await made;
  return {
    authority: { cert: pair.cert, key: pair.key },
    actions: [
      { kind: 'mkdir', path: files.dir, owner: 'invoker', mode: 0o700, summary: `create ${files.dir} for the cluster's CA` },
      {
        kind: 'write-file',
        path: files.key,
        content: pair.key,
        owner: 'invoker',
        mode: 0o600,
        secret: true,
        holds: 'a private key',
        summary: `keep the cluster CA's private key in ${files.key}`,
      },
      { kind: 'write-file', path: files.cert, content: pair.cert, owner: 'invoker', mode: 0o644, summary: `keep the cluster CA's certificate in ${files.cert}` },
    ],
  };
}

// A file of the user's on this machine named by the config; unreadable is one CONFIG_INVALID naming the key.
async function readUserFile(spec: ClusterSpec, file: string, key: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new HotstandbyError('CONFIG_INVALID', `cannot read ${file}, named by ${key}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      where: { file: spec.source.path, key },
      fix: `check that ${key} names a readable PEM file on this machine`,
    });
  }
}

// The write actions that put a node's TLS files on its host (beside its data directory, owned by its server account:
// the key 0600 and secret), and keep a CA made now in <stateDir>/tls. Nothing when the files there already fit: the
// CA is the cluster's and the certificate is signed by it for the node's name. Key material is made with openssl on
// this machine and travels only inside the node's machine connection (SSH for another host). seenAs: for a node on
// this machine that serves standbys on other hosts, the addresses they reach it at (hostSeenFrom); the certificate
// names those, or for a node on another host its host's address (the machine's: an ssh alias's HostName).
export async function ensureTlsMaterial(spec: ClusterSpec, ref: NodeRef, machine: Machine, seenAs: readonly string[] = []): Promise<Action[]> {
  const kind = tlsMaterialKind(spec, ref);
  if (kind === 'none') return [];
  const node = typeof ref === 'string' ? findNode(spec, ref)! : ref;
  const { authority, actions } = await clusterAuthority(spec);
  const files = tlsFiles(node.dataDir);
  const on = machine.remote ? { node: node.name } : {};
  const where = machine.remote ? ` on ${machine.label}` : '';
  const [dirFacts, hostCa, hostCert, keyFacts] = await Promise.all([machine.stat(files.dir), machine.readFile(files.ca), machine.readFile(files.cert), machine.stat(files.key)]);
  if (dirFacts === undefined)
    actions.push({ kind: 'mkdir', path: files.dir, ...on, owner: 'server', mode: 0o700, summary: `create ${files.dir}${where} for ${node.name}'s TLS files` });
  if (hostCa?.toString('utf8') !== authority.cert)
    actions.push({
      kind: 'write-file',
      path: files.ca,
      ...on,
      content: authority.cert,
      owner: 'server',
      mode: 0o644,
      summary: `put the cluster CA's certificate in ${files.ca}${where}`,
    });
  if (kind === 'ca') return actions;

  const names = tlsServerNames(node, seenAs, machine.address);
  const given = spec.tls?.certs?.[node.name];
  let pair: KeyPair | undefined;
  if (given) {
    const mine = { cert: await readUserFile(spec, given.cert, `tls.certs.${node.name}.cert`), key: await readUserFile(spec, given.key, `tls.certs.${node.name}.key`) };
    const hostKey = keyFacts ? (await machine.readFile(files.key))?.toString('utf8') : undefined;
    if (hostCert?.toString('utf8') !== mine.cert || hostKey !== mine.key) pair = mine;
  } else {
    // PostgreSQL refuses a key others can read: such a key is replaced too.
    const fits =
      hostCert !== undefined &&
      keyFacts?.kind === 'file' &&
      (keyFacts.mode & 0o077) === 0 &&
      hostCa?.toString('utf8') === authority.cert &&
      (await certificateFits(authority.cert, hostCert.toString('utf8'), names));
    // (Without a CA key, every node that serves TLS has its certificate in tls.certs: the config check refuses the rest.)
    if (!fits) pair = await issueServerCertificate(authority, names);
  }
  if (pair) {
    actions.push(
      {
        kind: 'write-file',
        path: files.key,
        ...on,
        content: pair.key,
        owner: 'server',
        mode: 0o600,
        secret: true,
        holds: 'a private key',
        summary: `put ${node.name}'s TLS key in ${files.key}${where}`,
      },
      {
        kind: 'write-file',
        path: files.cert,
        ...on,
        content: pair.cert,
        owner: 'server',
        mode: 0o644,
        summary: `put ${node.name}'s certificate for ${names.join(', ')} in ${files.cert}${where}`,
      },
    );
  }
  return actions;
}
