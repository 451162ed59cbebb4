// Adopting a running primary when a setting needs a restart ("archive": true turns on archive_mode): without
// --allow-restart the tool stops before changing anything and names the setting; with it, it succeeds.
import { existsSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { createUsersPrimary, rolesAndSlots, writeAdoptingConfig } from './support/adopted-primary.js';
import { describeRun } from './support/cli.js';
import { expectUserError, nodeNamed, statusOf, verifyOf } from './support/cluster-json.js';
import { hashFiles, listTree } from './support/files.js';
import { withClient } from './support/pg.js';
import { createTestPrimary } from '@hotstandby/testing';
import { clusterConfig, createProject, deferCleanup } from './support/project.js';

async function archiveProject() {
  const users = await createUsersPrimary();
  const project = await createProject();
  const config = await clusterConfig({ superuser: { password: users.primary.superuserPassword }, archive: true });
  config.primary = { dataDir: users.primary.dataDir };
  await project.writeConfig('hotstandby.config.json', config);
  return { users, primary: users.primary, project };
}

async function setting(port: number, password: string, name: string): Promise<string> {
  return withClient(port, password, async (c) => (await c.query<{ setting: string }>('SELECT setting FROM pg_settings WHERE name = $1', [name])).rows[0]!.setting);
}

describe('adopting a primary when archive_mode needs a restart', () => {
  test('without --allow-restart: exits non-zero naming archive_mode and --allow-restart, and changes nothing', async () => {
    const { users, primary, project } = await archiveProject();
    const startedBefore = await withClient(
      primary.port,
      primary.superuserPassword,
      async (c) => (await c.query('SELECT pg_postmaster_start_time()::text AS t')).rows[0].t as string,
    );

    const up = await project.run(['up']);
    expectUserError(up, ['archive_mode', '--allow-restart']);

    expect(hashFiles(users.configFiles)).toEqual(users.hashes);
    expect(await rolesAndSlots(primary)).toEqual({ roles: [], slots: [] });
    expect(existsSync(project.path('.hotstandby', 'data', 'standby1'))).toBe(false);
    expect(listTree(project.dir)).toEqual(['hotstandby.config.json']);
    expect(await setting(primary.port, primary.superuserPassword, 'archive_mode')).toBe('off');
    const startAfter = await withClient(primary.port, primary.superuserPassword, async (c) => (await c.query('SELECT pg_postmaster_start_time()::text AS t')).rows[0].t as string);
    expect(startAfter, 'the primary was not restarted').toBe(startedBefore);
  });

  test('with --allow-restart: restarts the primary with archiving on, verifies, and down --purge --restore puts it back', async () => {
    const { users, primary, project } = await archiveProject();

    const up = await project.run(['up', '--allow-restart']);
    expect(up.code, describeRun(up)).toBe(0);
    expect(await setting(primary.port, primary.superuserPassword, 'archive_mode')).toBe('on');
    const archiveDir = project.path('.hotstandby', 'archive');
    expect(await setting(primary.port, primary.superuserPassword, 'archive_command')).toContain(archiveDir);
    const status = await statusOf(project);
    expect(nodeNamed(status, 'standby1')).toMatchObject({ running: true, inRecovery: true });
    const verify = await verifyOf(project);
    expect(verify.result.code, describeRun(verify.result)).toBe(0);

    const down = await project.run(['down', '--purge', '--restore']);
    expect(down.code, describeRun(down)).toBe(0);
    expect(hashFiles(users.configFiles)).toEqual(users.hashes);
    expect(await rolesAndSlots(primary)).toEqual({ roles: [], slots: [] });
    // Restored files take effect: the primary runs again without archiving.
    expect(await setting(primary.port, primary.superuserPassword, 'archive_mode')).toBe('off');
    expect(existsSync(path.join(primary.dataDir, 'PG_VERSION'))).toBe(true);
    expect(listTree(project.dir)).toEqual(['hotstandby.config.json']);
  });
  test('a primary with wal_level minimal and max_wal_senders 0 is adopted with --allow-restart (the login is proved by verify)', async () => {
    const primary = await createTestPrimary({ settings: { wal_level: 'minimal', max_wal_senders: '0' } });
    deferCleanup(() => primary.cleanup());
    const project = await createProject();
    await writeAdoptingConfig(project, primary);

    expectUserError(await project.run(['up']), ['wal_level', 'max_wal_senders', '--allow-restart']);
    const up = await project.run(['up', '--plain', '--allow-restart']);
    expect(up.code, describeRun(up)).toBe(0);
    expect(up.stdout, describeRun(up)).toMatch(/✔ hba-config · master: rule added; replication login not tested yet: max_wal_senders is still 0/);
    expect(await setting(primary.port, primary.superuserPassword, 'wal_level')).toBe('replica');
    const verify = await verifyOf(project);
    expect(verify.report.ok, describeRun(verify.result)).toBe(true);
    // Once the senders exist, hba-config proves the login itself.
    const again = await project.run(['up', '--plain']);
    expect(again.stdout, describeRun(again)).toMatch(/✔ hba-config · master: replication login works/);
  });

  test("a setting of the user's own pending a restart is named as such, and --allow-restart applies it", async () => {
    const users = await createUsersPrimary();
    const { primary } = users;
    await appendFile(path.join(primary.dataDir, 'postgresql.conf'), 'shared_buffers = 48MB   # changed, not restarted yet\n');
    const hashes = hashFiles(users.configFiles);
    const project = await createProject();
    await writeAdoptingConfig(project, primary, 'mine');

    const refused = await project.run(['up']);
    expectUserError(refused, ['shared_buffers', 'restart is pending', '--allow-restart']);
    expect(refused.stderr).not.toMatch(/CONFIG_FILE_ERRORS|broken configuration/);
    expect(hashFiles(users.configFiles)).toEqual(hashes);
    expect(await rolesAndSlots(primary)).toEqual({ roles: [], slots: [] });
    expect(listTree(project.dir)).toEqual(['hotstandby.config.json']);

    const up = await project.run(['up', '--allow-restart']);
    expect(up.code, describeRun(up)).toBe(0);
    expect(await setting(primary.port, primary.superuserPassword, 'shared_buffers')).toBe(String((48 * 1024) / 8));
    expect((await verifyOf(project)).report.ok).toBe(true);
  });
});
