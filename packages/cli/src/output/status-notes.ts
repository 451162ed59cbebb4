import type { ClusterStatus } from '@hotstandby/core';

// The lines under the status table or tree that need the user: each node's warnings and why it could not be read.
export function renderStatusNotes(status: ClusterStatus): string {
  const lines: string[] = [];
  for (const n of status.nodes) {
    for (const warning of n.warnings ?? []) lines.push(`warning: ${n.name}: ${warning}`);
    if (n.error) lines.push(`error: ${n.name}: ${n.error}`);
  }
  return lines.length ? `\n\n${lines.join('\n')}` : '';
}
