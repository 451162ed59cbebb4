// `down --purge` on an adopted primary never deletes its data directory: it deletes the standby, drops the slot,
// leaves the primary running and keeps what a later `down --restore` needs, which then restores every file.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { createUsersPrimary, rolesAndSlots } from './support/adopted-primary.js';
import { describeRun } from './support/cli.js';
import { nodeNamed, statusOf } from './support/cluster-json.js';
import { hashFiles, listTree } from './support/files.js';
import { postmastersUnder } from './support/processes.js';
import { clusterConfig, createProject } from './support/project.js';

describe('down --purge on an adopted primary', () => {
  test('keeps the adopted data directory running; a later down --restore still puts its files back', async () => {
    const users = await createUsersPrimary();
    const { primary } = users;
    const project = await createProject();
    const config = await clusterConfig({ superuser: { password: primary.superuserPassword } });
    config.primary = { dataDir: primary.dataDir };
    await project.writeConfig('hotstandby.config.json', config);
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
});
