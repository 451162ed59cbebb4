import type { UnreachableMachine } from './unreachable-machine.js';

// How a report names a node whose host could not be reached: "unreachable: root@db2: <what ssh said>".
export function unreachableState(machine: UnreachableMachine): string {
  const prefix = `cannot reach ${machine.label} over SSH: `;
  const why = machine.error.message.startsWith(prefix) ? machine.error.message.slice(prefix.length) : machine.error.message;
  return `unreachable: ${machine.label}: ${why}`;
}
