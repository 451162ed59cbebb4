// A data directory the postgres OS user cannot reach fails before anything is created, naming the directory.
import { chmod, mkdir } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { describeRun } from './support/cli.js';
import { expectUserError } from './support/cluster-json.js';
import { listTree } from './support/files.js';
import { clusterConfig, createProject } from './support/project.js';

// Only root runs the servers as another OS user (postgres); as that user itself every path it can name is its own.
describe.skipIf(process.getuid?.() !== 0)('unreachable paths (run as root)', () => {
  test.each([
    { which: 'the primary', set: (c: Record<string, unknown>) => ((c.primary as Record<string, unknown>).dataDir = './locked/primary') },
    { which: 'a standby', set: (c: Record<string, unknown>) => ((c.standbys as Record<string, unknown>[])[0]!.dataDir = './locked/standby1') },
  ])('a data directory of $which under a 0700 root-owned directory', async ({ set }) => {
    const project = await createProject();
    await mkdir(project.path('locked'));
    await chmod(project.path('locked'), 0o700);
    const config = await clusterConfig();
    set(config);
    await project.writeConfig('hotstandby.config.json', config);
    const before = listTree(project.dir);

    const up = await project.run(['up']);
    expectUserError(up, [project.path('locked'), /postgres/]);
    expect(up.stderr, describeRun(up)).toMatch(/cannot reach/);
    expect(listTree(project.dir), 'nothing may be created').toEqual(before);
  });
});
