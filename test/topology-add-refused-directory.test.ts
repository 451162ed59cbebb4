// add-standby pointed at a directory that holds another database cluster of the same major: refused before any
// change (no slot, the directory byte for byte as it was), and the refused standby is not remembered, so status
// does not list it and the next up works.
import { describe, expect, test } from 'vitest';
import { createTestPrimary } from '@hotstandby/testing';
import { describeRun } from './support/cli.js';
import { ok, slotNames, upCluster } from './support/cluster-nodes.js';
import { statusOf } from './support/cluster-json.js';
import { hashFiles, listTree } from './support/files.js';
import { clusterConfig, createProject, deferCleanup } from './support/project.js';

describe('add-standby into another cluster’s directory', () => {
  test('is refused naming both system identifiers, changes nothing, and leaves no standby recorded', async () => {
    const project = await createProject();
    const cluster = await upCluster(project, await clusterConfig({ standbys: ['s1'] }));
    const other = await createTestPrimary({ stopped: true });
    deferCleanup(() => other.cleanup());
    const files = listTree(other.dataDir);
    const before = hashFiles(files);

    const refused = await project.run(['add-standby', 's2', '--data-dir', other.dataDir, '--plain']);
    const context = describeRun(refused);
    expect(refused.code, context).toBe(1);
    expect(refused.stderr, context).toMatch(/holds a different cluster \(system identifier \d+, the primary's is \d+\)/);
    expect(hashFiles(files), 'the other cluster is untouched').toEqual(before);
    expect(listTree(other.dataDir)).toEqual(files);
    expect(await slotNames(await cluster.client('primary'))).toEqual(['s1']);

    const status = await statusOf(project);
    expect(status.nodes.map((n) => n.name)).toEqual(['primary', 's1']);
    await ok(project, ['up', '--plain']);
  });
});
