import type { Machine } from '../hosts/machine.js';

// How the journal names the machine a path is on: the name of the node whose host it is, when that is another host;
// nothing for this machine.
export function journalNodeOf(machine: Pick<Machine, 'remote'>, node: string | undefined): string | undefined {
  return machine.remote ? node : undefined;
}
