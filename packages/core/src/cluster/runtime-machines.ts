import { HotstandbyError } from '../errors/hotstandby-error.js';
import type { NodeHostSpec, NodeSpec } from '../config/cluster-spec.js';
import { localMachine } from '../hosts/local-machine.js';
import type { Machine } from '../hosts/machine.js';
import { MachinePool, sshTargetOf } from '../hosts/machine-pool.js';
import type { PgBinaries } from '../postgres/binaries.js';
import type { ServerUser } from '../postgres/os-user.js';
import { binariesOn } from '../postgres/remote-binaries.js';
import { isUnreachable, UnreachableMachine } from '../hosts/unreachable-machine.js';

// Where each node lives: the machine, the account that runs its server there and its binaries. Nodes on this machine
// share the command's own; a node on another host gets that host's, found once per host.
export interface NodePlacement {
  machine: Machine;
  serverUser: ServerUser;
  binaries: PgBinaries;
}

// The machines of one command: opened once per host (concurrently) when the runtime is resolved, closed with it.
export class MachinesRecord {
  private readonly machines = new Map<string, Machine>();
  private readonly placements = new Map<string, Promise<NodePlacement>>();

  private constructor(private readonly pool: MachinePool) {}

  // Connect to every host a node lives on (concurrently). A host that cannot be reached stands in as an
  // UnreachableMachine: whatever needs it fails with HOST_UNREACHABLE naming the host, the rest of the command works.
  static async open(nodes: readonly NodeSpec[], signal?: AbortSignal): Promise<MachinesRecord> {
    const record = new MachinesRecord(new MachinePool());
    try {
      await Promise.all(
        nodes.map(async (n) => {
          record.machines.set(n.name, await record.reach(n.host, signal));
        }),
      );
    } catch (error) {
      await record.close();
      throw error;
    }
    return record;
  }

  // The machine of a host reached with these settings (a node's former host), opened once like the nodes' own; one
  // that cannot be reached stands in as an UnreachableMachine.
  at(host: NodeHostSpec, signal?: AbortSignal): Promise<Machine> {
    return this.reach(host, signal);
  }

  private reach(host: NodeHostSpec | undefined, signal?: AbortSignal): Promise<Machine> {
    return this.pool.machineOf(host, { signal }).catch((error: unknown) => {
      if (error instanceof HotstandbyError && error.code === 'HOST_UNREACHABLE' && host) {
        return new UnreachableMachine(error.where.host ?? host.host, host.host, error, sshTargetOf(host));
      }
      throw error;
    });
  }

  // The machine a node lives on (this one for a node the record does not know).
  of(node: string): Machine {
    return this.machines.get(node) ?? localMachine;
  }

  // The machine, server account and binaries of a node: this machine's own for a local node; for a remote one,
  // the account (postgres.osUser, default postgres) and binaries of the same major found on its host, once per host.
  // A host that could not be reached keeps this machine's as stand-ins: nothing runs there (every effect on its
  // machine fails with HOST_UNREACHABLE), so the command can still report and work on the other nodes.
  placement(node: NodeSpec, local: { serverUser: ServerUser; binaries: PgBinaries; osUser?: string }): Promise<NodePlacement> {
    const machine = this.of(node.name);
    if (!machine.remote || isUnreachable(machine)) return Promise.resolve({ machine, serverUser: local.serverUser, binaries: local.binaries });
    let placement = this.placements.get(machine.label);
    if (!placement) {
      placement = Promise.all([machine.serverUser(local.osUser), binariesOn(machine, local.binaries.major)]).then(([serverUser, binaries]) => ({
        machine,
        serverUser,
        binaries,
      }));
      this.placements.set(machine.label, placement);
    }
    return placement.catch((error: unknown) => {
      if (error instanceof HotstandbyError) throw error.within({ node: node.name });
      throw error;
    });
  }

  // Close every connection.
  close(): Promise<void> {
    return this.pool.close();
  }
}
