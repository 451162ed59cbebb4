import { isIP } from 'node:net';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import { type ClusterSpec, upstreamOf } from '../config/cluster-spec.js';
import type { PgNode } from '../postgres/pg-node.js';
import type { Machine } from './machine.js';

// The loopback address nodes on one machine reach each other at (never "localhost", which may resolve to ::1 first).
export const LOOPBACK_ADDRESS = '127.0.0.1';

// True when two nodes live on the same machine (this one, or the same remote host).
export function onSameMachine(a: PgNode, b: PgNode): boolean {
  if (a.machine === b.machine) return true;
  if (!a.machine.remote || !b.machine.remote) return !a.machine.remote && !b.machine.remote;
  return a.machine.address !== undefined && a.machine.address === b.machine.address;
}

// The standbys that stream from a node and live on another machine than it (nodes: the handles to look them up in).
export function standbysOnOtherMachines(spec: ClusterSpec, node: PgNode, nodes: readonly PgNode[]): PgNode[] {
  return spec.standbys
    .filter((s) => upstreamOf(spec, s).name === node.name)
    .map((s) => nodes.find((n) => n.name === s.name))
    .filter((n): n is PgNode => n !== undefined && !onSameMachine(n, node));
}

// What a node must listen on besides loopback, so that a node of the cluster on another machine can stream from it
// now or after a switchover: a node on another host listens on its host (as configured: PostgreSQL resolves a name
// on its own machine when it starts); a node on this machine on the address each other host of the cluster reaches
// this machine at (hostSeenFrom: the source of this machine's route to that host), without repeats. Nothing for a
// node whose cluster lives on its machine alone.
export async function reachedFromOtherMachines(node: PgNode, nodes: readonly PgNode[]): Promise<string[]> {
  const others = nodes.filter((n) => !onSameMachine(n, node));
  if (others.length === 0) return [];
  if (node.machine.remote) return node.machine.address !== undefined ? [node.machine.address] : [];
  return [...new Set(await Promise.all(others.map((other) => hostSeenFrom(node, other))))];
}

// The host a client on `from`'s machine connects to for a server of `target`: loopback on the same machine, the
// target's configured host when it is remote, and for a target on this machine the address this machine's
// packets to `from`'s host leave from (the one that host sees and can answer).
export async function hostSeenFrom(target: PgNode, from: PgNode): Promise<string> {
  if (onSameMachine(target, from)) return LOOPBACK_ADDRESS;
  if (target.machine.address !== undefined) return target.machine.address;
  return sourceAddressTowards(target.machine, from.machine.address!);
}

// The address a machine's connections to a host leave from (`ip -o route get`, asked on that machine; a host name
// is resolved there first): the address the other host sees them come from.
// Asked once per machine and host within a process (steps plan and check the same pairs several times, and each
// question is a round trip to that machine).
export function sourceAddressTowards(machine: Machine, host: string): Promise<string> {
  let answers = sourceAddresses.get(machine);
  if (!answers) sourceAddresses.set(machine, (answers = new Map()));
  let answer = answers.get(host);
  if (!answer) {
    answer = askSourceAddress(machine, host);
    answers.set(host, answer);
    // A failed answer is not kept: the next command (or a retry) asks again.
    answer.catch(() => answers.delete(host));
  }
  return answer;
}

const sourceAddresses = new WeakMap<Machine, Map<string, Promise<string>>>();

async function askSourceAddress(machine: Machine, host: string): Promise<string> {
  const address = await resolveOn(machine, host);
  // ip lives in /usr/sbin or /sbin, which an unprivileged account's PATH may lack.
  const result = await machine.runAllowFailure('sh', ['-c', 'PATH="$PATH:/usr/sbin:/sbin"; exec ip -o route get "$1"', 'sh', address], {
    purpose: `ip route get ${address} on ${machine.label}`,
  });
  const source = result.exitCode === 0 ? routeSource(result.stdout) : undefined;
  if (source === undefined) {
    throw new HotstandbyError('HOST_UNREACHABLE', `${machine.label} has no route to ${host}${address === host ? '' : ` (${address})`}`, {
      where: { host: machine.label },
      detail: (result.stderr || result.stdout).trim() || undefined,
      fix: `check the network between the hosts: "ip route get ${address}" on ${machine.label} must name a source address`,
    });
  }
  return source;
}

// A host's address as a machine resolves it (`getent ahosts` there); an address literal is itself.
export async function resolveOn(machine: Machine, host: string): Promise<string> {
  if (isIP(host)) return host;
  const result = await machine.runAllowFailure('getent', ['ahosts', host], { purpose: `getent ahosts ${host} on ${machine.label}` });
  const address = result.exitCode === 0 ? firstAhostsAddress(result.stdout) : undefined;
  if (address === undefined) {
    throw new HotstandbyError('HOST_UNREACHABLE', `${host} does not resolve to an address on ${machine.label}`, {
      where: { host: machine.label },
      fix: `make "getent ahosts ${host}" answer on ${machine.label} (DNS or /etc/hosts), or configure the node's host as an address`,
    });
  }
  return address;
}

// The source address in `ip -o route get` output ("198.18.0.2 dev veth0 src 198.18.0.3 uid 0"), if any.
export function routeSource(output: string): string | undefined {
  const match = /\bsrc\s+(\S+)/.exec(output);
  return match && isIP(match[1]!) ? match[1] : undefined;
}

// The first address `getent ahosts` lists (IPv4 first when the name has one: the order libpq tries them in varies).
export function firstAhostsAddress(output: string): string | undefined {
  const addresses = output
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((a) => isIP(a) !== 0);
  return addresses.find((a) => isIP(a) === 4) ?? addresses[0];
}

// One address as a pg_hba.conf address field that matches it alone: /32 for IPv4, /128 for IPv6.
export function singleAddressRange(address: string): string {
  const family = isIP(address);
  if (family === 0) throw new HotstandbyError('INTERNAL', `${address} is not an IP address`, { fix: 'this is a bug in hotstandby' });
  return `${address}/${family === 6 ? 128 : 32}`;
}
