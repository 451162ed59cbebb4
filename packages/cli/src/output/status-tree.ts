import type { ClusterStatus, NodeStatus } from '@hotstandby/core';
import { formatBytes } from '@hotstandby/core';

// The topology as a tree: the primary, its standbys below it, cascaded standbys below those, with state and lag
// (and the host of a node on another one).
export function renderStatusTree(status: ClusterStatus): string {
  const nodes = status.nodes.filter((n) => !n.formerPrimary);
  const primary = nodes.find((n) => n.role === 'primary' && n.upstream === null) ?? nodes[0];
  const lines: string[] = [];
  const width = Math.max(...status.nodes.map((n) => n.name.length));
  const describe = (n: NodeStatus) => {
    const parts = [`${n.name.padEnd(width)}  ${n.role.padEnd(7)}  :${n.port}  ${n.state}`];
    if (n.role === 'standby' && n.replayLagBytes !== null) parts.push(`lag ${formatBytes(n.replayLagBytes)}`);
    if (n.synchronous) parts.push('synchronous');
    if (n.applyDelay) parts.push(`delayed ${n.applyDelay}`);
    if (n.host) parts.push(`on ${n.host}`);
    return parts.join('  ');
  };
  const walk = (node: NodeStatus, prefix: string, connector: string, childPrefix: string, seen: Set<string>) => {
    lines.push(prefix + connector + describe(node));
    seen.add(node.name);
    const children = nodes.filter((n) => n.upstream === node.name && !seen.has(n.name));
    children.forEach((child, i) => {
      const last = i === children.length - 1;
      walk(child, childPrefix, last ? '└── ' : '├── ', childPrefix + (last ? '    ' : '│   '), seen);
    });
  };
  const seen = new Set<string>();
  if (primary) walk(primary, '', '', '', seen);
  for (const n of nodes.filter((x) => !seen.has(x.name))) lines.push(`?   ${describe(n)}  (upstream ${n.upstream ?? 'unknown'} not found)`);
  for (const n of status.nodes.filter((x) => x.formerPrimary)) lines.push(`✗   ${n.name.padEnd(width)}  :${n.port}  ${n.state}`);
  return lines.join('\n');
}
