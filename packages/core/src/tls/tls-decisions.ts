import path from 'node:path';
import { type ClusterSpec, findNode, type NodeSpec, upstreamOf } from '../config/cluster-spec.js';
import { HotstandbyError } from '../errors/hotstandby-error.js';

// The files a server's TLS needs on its own host, beside (never inside: base backups copy that) its data directory.
export interface TlsFiles {
  dir: string;
  // The CA certificate the server and its standbys verify against.
  ca: string;
  cert: string;
  // The server's private key: 0600, owned by the server account.
  key: string;
}

// A node of the spec, or its name (so a step can pass ctx.node.name).
export type NodeRef = NodeSpec | string;

// The node a reference names (a former primary waiting to rejoin included).
function nodeOf(spec: ClusterSpec, ref: NodeRef): NodeSpec {
  if (typeof ref !== 'string') return ref;
  const node = findNode(spec, ref) ?? spec.detached?.find((n) => n.name === ref);
  if (!node) throw new HotstandbyError('INTERNAL', `TLS settings asked for ${ref}, which is not a node of the cluster`);
  return node;
}

// Whether two nodes live on different machines (a replication connection between them crosses hosts).
export function crossesHosts(a: NodeSpec, b: NodeSpec): boolean {
  return (a.host?.host ?? '') !== (b.host?.host ?? '');
}

// Whether replication between hosts is encrypted: unless the config says tls: false, as soon as some standby streams
// from a node on another machine; a cluster on one machine never uses TLS.
export function tlsEnabled(spec: ClusterSpec): boolean {
  return spec.tls?.mode !== 'off' && streamsAcrossHosts(spec);
}

// Whether some standby streams from a node on another machine (a former primary waiting to rejoin counts: it streams
// from the primary once it rejoins, and its pg_rewind connects there first).
function streamsAcrossHosts(spec: ClusterSpec): boolean {
  return [...spec.standbys, ...(spec.detached ?? [])].some((s) => crossesHosts(s, upstreamOf(spec, s)));
}

// Whether replication between hosts travels unencrypted because the config turned TLS off (the plan says so).
function tlsTurnedOffAcrossHosts(spec: ClusterSpec): boolean {
  return spec.tls?.mode === 'off' && streamsAcrossHosts(spec);
}

// Whether a node serves TLS: every node on another host, once TLS is on (any of them may become an upstream after a
// switchover), and a node on this machine that a standby on another host streams from.
export function servesTls(spec: ClusterSpec, ref: NodeRef): boolean {
  if (!tlsEnabled(spec)) return false;
  const node = nodeOf(spec, ref);
  return node.host !== undefined || spec.standbys.some((s) => upstreamOf(spec, s).name === node.name && crossesHosts(s, node));
}

// The names a node's certificate carries (subjectAltName; the first is also the CN): the host= its standbys'
// primary_conninfo names. A node on another host is reached at its host's address (address: its machine's, the
// HostName an ssh alias resolves to; absent: the configured host); one on this machine at the addresses other hosts
// see it at, which only the machines can tell (seenAs: hostSeenFrom for each such standby).
export function tlsServerNames(node: NodeSpec, seenAs: readonly string[] = [], address?: string): string[] {
  const names = [...new Set([...(node.host ? [address ?? node.host.host] : []), ...seenAs])];
  if (names.length === 0)
    throw new HotstandbyError('INTERNAL', `${node.name} lives on this machine: its certificate needs the addresses other hosts reach it at`, {
      fix: 'this is a bug in hotstandby: pass hostSeenFrom of the node for each standby on another host',
    });
  return names;
}

// Where a node's TLS files live on its host: <dataDir>.tls/.
export function tlsFiles(dataDir: string): TlsFiles {
  const dir = `${dataDir}.tls`;
  const join = dataDir.startsWith('/') ? path.posix.join : path.join;
  return { dir, ca: join(dir, 'ca.crt'), cert: join(dir, 'server.crt'), key: join(dir, 'server.key') };
}

// The settings tlsServerSettings sets (a step that compares them with the server's reads these).
export const TLS_SETTING_NAMES = ['ssl', 'ssl_cert_file', 'ssl_key_file', 'ssl_ca_file'] as const;

// The server settings TLS adds to a node (none when it serves no TLS): ssl on with its certificate, key and the CA.
export function tlsServerSettings(spec: ClusterSpec, node: NodeRef): Record<string, string> {
  if (!servesTls(spec, node)) return {};
  const files = tlsFiles(nodeOf(spec, node).dataDir);
  return { ssl: 'on', ssl_cert_file: files.cert, ssl_key_file: files.key, ssl_ca_file: files.ca };
}

// The pg_hba connection type of the rule that lets a standby replicate from its upstream: hostssl when the connection
// crosses hosts and is encrypted, host otherwise (loopback rules stay host).
export function replicationHbaType(spec: ClusterSpec, upstream: NodeRef, standby: NodeRef): 'host' | 'hostssl' {
  return crossesHosts(nodeOf(spec, upstream), nodeOf(spec, standby)) && servesTls(spec, upstream) ? 'hostssl' : 'host';
}

// What TLS adds to every libpq connection a program on one node's host (client) makes to another node's server: a
// standby's primary_conninfo, pg_basebackup, pg_rewind's source server, a login check. Across hosts to a server
// that serves TLS: verify-full against the CA on the client's own host (the server's certificate must name the
// host= it connects to); nothing for a connection on one machine, or with TLS off (libpq's default then).
export function tlsConninfoParams(spec: ClusterSpec, client: NodeRef, server: NodeRef): Record<string, string> {
  if (replicationHbaType(spec, server, client) !== 'hostssl') return {};
  return { sslmode: 'verify-full', sslrootcert: tlsFiles(nodeOf(spec, client).dataDir).ca };
}

// What TLS files a node needs on its host: a server's certificate, key and the CA; only the CA (a standby on this
// machine verifying an upstream on another host); or none.
export function tlsMaterialKind(spec: ClusterSpec, ref: NodeRef): 'server' | 'ca' | 'none' {
  const node = nodeOf(spec, ref);
  if (servesTls(spec, node)) return 'server';
  if (node.role === 'standby' && Object.keys(tlsConninfoParams(spec, node, upstreamOf(spec, node))).length > 0) return 'ca';
  return 'none';
}

// What the plan says about replication between hosts that travels unencrypted.
export function tlsPlanNotes(spec: ClusterSpec): string[] {
  if (!tlsTurnedOffAcrossHosts(spec)) return [];
  return ['tls is false: replication between hosts travels unencrypted (passwords stay protected by scram-sha-256 or md5, the data does not)'];
}
