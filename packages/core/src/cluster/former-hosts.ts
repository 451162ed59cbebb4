import type { NodeHostSpec } from '../config/cluster-spec.js';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import type { Machine } from '../hosts/machine.js';
import { sshProbeCommand, sshTargetLabel } from '../hosts/ssh-target.js';
import { isUnreachable } from '../hosts/unreachable-machine.js';
import type { JournalEntry, JournalHost } from '../state/cluster-state.js';
import { entryAt, journalPlaceOf, sameJournalHost } from '../state/journal-node.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import { everyNode } from './runtime-topology.js';

// A host the journal recorded something of a node on, which the config no longer puts that node on (its `host`, ssh
// user or port changed since): what was done there is undone there, never on the node's host of now.
export interface FormerHost {
  node: string;
  host: JournalHost;
  // How messages name it ("root@db2") and the node's host of now ("root@db3", "this machine").
  label: string;
  now: string;
  // Reached with the recorded host, user and port and the node's current key and options.
  hostSpec: NodeHostSpec;
  machine: Machine;
}

// The former host of each file and directory entry of a node the cluster still has whose recorded host is not the
// node's now; entries of one node and host share one FormerHost, and each such host is connected to once.
export async function formerHostsOf(rt: ClusterRuntime, journal: readonly JournalEntry[]): Promise<Map<JournalEntry, FormerHost>> {
  const known = new Map([...rt.nodes, ...rt.detached].map((n) => [n.name, n]));
  const found = new Map<JournalEntry, FormerHost>();
  const hosts: FormerHost[] = [];
  for (const entry of journal) {
    if ((entry.kind !== 'file' && entry.kind !== 'dir') || entry.node === undefined || entry.host === undefined) continue;
    const node = known.get(entry.node);
    if (!node || entryAt(entry, journalPlaceOf(node.machine, node.name))) continue;
    let former = hosts.find((h) => h.node === node.name && sameJournalHost(h.host, entry.host!));
    if (!former) {
      const current = everyNode(rt.spec).find((n) => n.name === node.name)?.host;
      const hostSpec: NodeHostSpec = {
        ...entry.host,
        ...(current?.identityFile ? { identityFile: current.identityFile } : {}),
        ...(current?.options ? { options: current.options } : {}),
      };
      former = { node: node.name, host: entry.host, label: sshTargetLabel(entry.host), now: node.machine.label, hostSpec, machine: await rt.machines.at(hostSpec) };
      hosts.push(former);
    }
    found.set(entry, former);
  }
  return found;
}

// What a plan says about a former host: the node moved, and where down acts.
export function formerHostNote(former: FormerHost): string {
  return `${former.node}: what hotstandby made or changed for it is on ${former.label}, where it lived then; the config now puts it on ${former.now}, so that is undone on ${former.label} and nothing on ${former.now} is touched for it`;
}

// Refuse (before anything changes) to undo something on a former host that cannot be reached: acting on the node's
// host of now instead would touch what the tool never made there.
export function refuseUnreachableFormerHost(former: FormerHost, what: string): void {
  if (!isUnreachable(former.machine)) return;
  throw new HotstandbyError(
    'HOST_UNREACHABLE',
    `${what} of ${former.node} is on ${former.label}, where it lived when hotstandby made it, but the config now puts ${former.node} on ${former.now}, and ${former.label} cannot be reached: ${former.machine.error.message}`,
    {
      where: { node: former.node, host: former.label },
      fix: `make ${former.label} reachable over SSH (${sshProbeCommand(former.hostSpec)}) and run the command again; hotstandby never acts on ${former.now} for what it made on ${former.label}`,
    },
  );
}

// Refuse remove-standby --purge of a standby whose directories the tool made on a host the config no longer puts it
// on: that command deletes on the standby's host of now, so it would leave them there (and the server, if it runs).
export async function refuseMovedStandbyPurge(rt: ClusterRuntime, name: string): Promise<void> {
  const formers = await formerHostsOf(
    rt,
    rt.state.journal.filter((e) => e.kind === 'dir' && e.node === name),
  );
  const former = formers.values().next().value;
  if (!former) return;
  throw new HotstandbyError(
    'DATA_DIR_CONFLICT',
    `${name}'s data directory was made on ${former.label}, where it lived then, but the config now puts ${name} on ${former.now}: remove-standby --purge would leave it on ${former.label}`,
    {
      where: { node: name, host: former.label },
      fix: `put ${name}'s host back to ${former.label} in the config and run remove-standby ${name} --purge again`,
    },
  );
}
