import { describe, expect, test } from 'vitest';
import { nodeNamed, statusOf } from './support/cluster-json.js';
import { postmasterPid, upCluster, waitForStatus } from './support/cluster-nodes.js';
import { listProcesses } from './support/processes.js';
import { clusterConfig, createProject, deferCleanup } from './support/project.js';

// The postmaster and its walsenders (children whose title says walsender).
function primaryProcesses(dataDir: string): number[] {
  const postmaster = postmasterPid(dataDir);
  const children = listProcesses().filter((p) => p.ppid === postmaster && p.args.join(' ').includes('walsender'));
  return [postmaster, ...children.map((c) => c.pid)];
}

describe('a hung primary', () => {
  test('is reported as running but unreachable, nothing is promoted, and it recovers after SIGCONT', async () => {
    const project = await createProject();
    const cluster = await upCluster(project, await clusterConfig({ standbys: ['s1'] }));
    const before = await cluster.status();
    const timelines = before.nodes.map((n) => [n.name, n.timeline]);
    const pids = primaryProcesses(nodeNamed(before, 'primary').dataDir);
    expect(pids.length).toBeGreaterThanOrEqual(2);
    const resume = () => {
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGCONT');
        } catch {
          // gone
        }
      }
    };
    deferCleanup(async () => resume());
    for (const pid of pids) process.kill(pid, 'SIGSTOP');
    let hung;
    try {
      hung = await statusOf(project);
    } finally {
      resume();
    }
    const primary = nodeNamed(hung, 'primary');
    expect(primary.state, JSON.stringify(primary)).toBe('running, unreachable');
    expect(primary.running).toBe(true);
    expect(nodeNamed(hung, 's1').role).toBe('standby');

    const after = await waitForStatus(cluster, 's1 to stream again', (s) => nodeNamed(s, 's1').state === 'streaming', 90_000);
    expect(nodeNamed(after, 'primary').state).toBe('running');
    expect(
      after.nodes.map((n) => [n.name, n.timeline]),
      'no promotion: the timelines are as they were',
    ).toEqual(timelines);
  });
});
