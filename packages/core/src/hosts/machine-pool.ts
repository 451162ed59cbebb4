import type { NodeHostSpec } from '../config/cluster-spec.js';
import { localMachine } from './local-machine.js';
import type { Machine } from './machine.js';
import { SshConnection } from './ssh-connection.js';
import { SshMachine } from './ssh-machine.js';
import type { SshTarget } from './ssh-target.js';

// The machines of one command: this one, and one SSH connection per other host, opened when first needed (nodes on
// the same host share it) and all closed by close().
export class MachinePool {
  private readonly opened = new Map<string, Promise<SshMachine>>();

  // The machine a node with this host (none: this machine) lives on.
  machineOf(host: NodeHostSpec | undefined, options: { signal?: AbortSignal } = {}): Promise<Machine> {
    if (!host) return Promise.resolve(localMachine);
    const target = sshTargetOf(host);
    const key = JSON.stringify(target);
    let machine = this.opened.get(key);
    if (!machine) {
      machine = SshConnection.open(target, options).then((connection) => new SshMachine(connection));
      this.opened.set(key, machine);
      // A failed connection is not kept: the next command (or a retry) tries again.
      machine.catch(() => this.opened.delete(key));
    }
    return machine;
  }

  // Close every connection opened (failures to close are not errors: the connection ends with its process anyway).
  async close(): Promise<void> {
    const machines = [...this.opened.values()];
    this.opened.clear();
    await Promise.all(machines.map((m) => m.then((x) => x.close()).catch(() => undefined)));
  }
}

// How ssh reaches a host configured so.
export function sshTargetOf(host: NodeHostSpec): SshTarget {
  return { host: host.host, user: host.user, port: host.port, identityFile: host.identityFile, options: host.options };
}
