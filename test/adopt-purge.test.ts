// `down --purge` on an adopted primary never deletes its data directory: it deletes the standby, drops the slot,
// leaves the primary running and keeps what a later `down --restore` needs, which then restores every file.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { createUsersPrimary, rolesAndSlots, writeAdoptingConfig } from './support/adopted-primary.js';
import { describeRun } from './support/cli.js';
import { nodeNamed, statusOf } from './support/cluster-json.js';
import { hashFiles, listTree } from './support/files.js';
import { withClient } from './support/pg.js';
import { postmastersUnder } from './support/processes.js';
import { clusterConfig, createProject } from './support/project.js';
import { waitFor } from './support/wait.js';

describe('down --purge on an adopted primary', () => {
  test('keeps the adopted data directory running; a later down --restore still puts its files back', async () => {
    const users = await createUsersPrimary();
    const { primary } = users;
    const project = await createProject();
    await writeAdoptingConfig(project, primary);
    const up = await project.run(['up']);
    expect(up.code, describeRun(up)).toBe(0);
    const standbyDir = nodeNamed(await statusOf(project), 'standby1').dataDir;
    expect(existsSync(standbyDir)).toBe(true);

    const purge = await project.run(['down', '--purge']);
    expect(purge.code, describeRun(purge)).toBe(0);
    expect(purge.stdout).toContain(primary.dataDir);
    // The user's server: data directory intact and still running; the standby and its slot are gone.
    expect(existsSync(path.join(primary.dataDir, 'PG_VERSION'))).toBe(true);
    expect(postmastersUnder(primary.dataDir)).toHaveLength(1);
    expect(existsSync(standbyDir)).toBe(false);
    expect(postmastersUnder(project.dir)).toEqual([]);
    expect((await rolesAndSlots(primary)).slots).toEqual([]);
    const afterPurge = await statusOf(project);
    expect(nodeNamed(afterPurge, 'master')).toMatchObject({ running: true, dataDir: primary.dataDir });
    expect(nodeNamed(afterPurge, 'standby1')).toMatchObject({ running: false });

    const restore = await project.run(['down', '--restore']);
    expect(restore.code, describeRun(restore)).toBe(0);
    expect(hashFiles(users.configFiles)).toEqual(users.hashes);
    expect(await rolesAndSlots(primary)).toEqual({ roles: [], slots: [] });
    expect(postmastersUnder(primary.dataDir)).toHaveLength(1);

    const finalPurge = await project.run(['down', '--purge']);
    expect(finalPurge.code, describeRun(finalPurge)).toBe(0);
    expect(listTree(project.dir)).toEqual(['hotstandby.config.json']);
    expect(existsSync(path.join(primary.dataDir, 'PG_VERSION'))).toBe(true);
    expect(hashFiles(users.configFiles)).toEqual(users.hashes);
  });
  test('with archiving added: the archive stays while the primary still uses it, and --restore restarts it back', async () => {
    const users = await createUsersPrimary();
    const { primary } = users;
    const project = await createProject();
    const config = await clusterConfig({ superuser: { password: primary.superuserPassword }, archive: { dir: './arch' } });
    config.primary = { dataDir: primary.dataDir };
    await project.writeConfig('hotstandby.config.json', config);
    const up = await project.run(['up', '--allow-restart']);
    expect(up.code, describeRun(up)).toBe(0);

    const purge = await project.run(['down', '--purge']);
    expect(purge.code, describeRun(purge)).toBe(0);
    expect(purge.stdout, describeRun(purge)).toContain(`${project.path('arch')} (master still archives WAL into it`);
    expect(existsSync(project.path('arch'))).toBe(true);
    // The primary still archives, successfully, into the directory that was kept.
    const archived = await withClient(primary.port, primary.superuserPassword, async (client) => {
      const wal = (await client.query<{ f: string }>('SELECT pg_walfile_name(pg_switch_wal()) AS f')).rows[0]!.f;
      await waitFor(async () => (await client.query('SELECT 1 FROM pg_stat_archiver WHERE last_archived_wal >= $1', [wal])).rowCount, { what: `${wal} to be archived` });
      return (await client.query<{ failed_count: string }>('SELECT failed_count::text FROM pg_stat_archiver')).rows[0]!.failed_count;
    });
    expect(archived).toBe('0');

    const restore = await project.run(['down', '--restore']);
    expect(restore.code, describeRun(restore)).toBe(0);
    expect(restore.stdout, describeRun(restore)).toMatch(/restarting master so .*archive_mode/);
    expect(hashFiles(users.configFiles)).toEqual(users.hashes);
    expect(postmastersUnder(primary.dataDir), 'the restored primary runs again').toHaveLength(1);
    const mode = await withClient(
      primary.port,
      primary.superuserPassword,
      async (client) => (await client.query<{ archive_mode: string }>('SHOW archive_mode')).rows[0]!.archive_mode,
    );
    expect(mode).toBe('off');

    const finalPurge = await project.run(['down', '--purge']);
    expect(finalPurge.code, describeRun(finalPurge)).toBe(0);
    expect(listTree(project.dir)).toEqual(['hotstandby.config.json']);
  });
});
