// Relative paths: --config relative to the user's directory, paths inside a config relative to the config file's directory.
import { existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { describeRun, parseJson, runCli } from './support/cli.js';
import { nodeNamed, statusOf, type StatusJson } from './support/cluster-json.js';
import { listTree } from './support/files.js';
import { withClient } from './support/pg.js';
import { clusterConfig, createProject } from './support/project.js';

describe('relative paths', () => {
  test("--config sub/cluster.json (relative to the cwd); dataDir, stateDir and archive dir resolve against the config's directory", async () => {
    const project = await createProject();
    const config = await clusterConfig({ archive: { dir: './wal-archive' }, superuser: { password: 'rel-paths-pw' } });
    (config.primary as Record<string, unknown>).dataDir = './pg/primary';
    (config.standbys as Record<string, unknown>[])[0]!.dataDir = '../elsewhere/standby1';
    await project.writeConfig('sub/cluster.json', config);

    const up = await project.run(['--config', 'sub/cluster.json', 'up']);
    expect(up.code, describeRun(up)).toBe(0);

    const status = await statusOf(project, ['--config', 'sub/cluster.json']);
    expect(status.stateDir).toBe(project.path('sub', '.hotstandby'));
    expect(nodeNamed(status, 'primary').dataDir).toBe(project.path('sub', 'pg', 'primary'));
    expect(nodeNamed(status, 'standby1').dataDir).toBe(project.path('elsewhere', 'standby1'));
    expect(existsSync(project.path('sub', 'pg', 'primary', 'PG_VERSION'))).toBe(true);
    expect(existsSync(project.path('elsewhere', 'standby1', 'standby.signal'))).toBe(true);
    await withClient(nodeNamed(status, 'primary').port, 'rel-paths-pw', async (client) => {
      const archiveCommand = (await client.query('SHOW archive_command')).rows[0].archive_command as string;
      expect(archiveCommand).toContain(project.path('sub', 'wal-archive'));
    });
    expect(existsSync(project.path('sub', 'wal-archive'))).toBe(true);
    // Nothing landed relative to the cwd instead of the config's directory.
    expect(existsSync(project.path('.hotstandby'))).toBe(false);
    expect(existsSync(project.path('pg'))).toBe(false);
    expect(existsSync(project.path('wal-archive'))).toBe(false);

    // The same cluster seen from inside sub/ with --config cluster.json.
    const fromSub = await runCli(['--config', 'cluster.json', 'status', '--json'], { cwd: project.path('sub') });
    expect(fromSub.code, describeRun(fromSub)).toBe(0);
    expect(parseJson<StatusJson>(fromSub).nodes.map((n) => [n.name, n.dataDir, n.running])).toEqual(status.nodes.map((n) => [n.name, n.dataDir, true]));

    const down = await project.run(['--config', 'sub/cluster.json', 'down', '--purge']);
    expect(down.code, describeRun(down)).toBe(0);
    expect(listTree(project.dir)).toEqual(['sub', 'sub/cluster.json']);
  });
});
