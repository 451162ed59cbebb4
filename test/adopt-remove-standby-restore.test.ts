// remove-standby on an adopted primary changes the user's files too (the last standby takes hotstandby's
// replication rule out of pg_hba.conf): down --restore afterwards still puts every config file back byte for byte,
// with its mode and owner, and drops the role the tool created. Its --dry-run shows that and changes nothing.
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { createUsersPrimary, rolesAndSlots, writeAdoptingConfig } from './support/adopted-primary.js';
import { describeRun } from './support/cli.js';
import { ok } from './support/cluster-nodes.js';
import { fileFacts, hashFiles } from './support/files.js';
import { createProject } from './support/project.js';

describe('down --restore after remove-standby on an adopted primary', () => {
  test('leaves the primary files as they were before hotstandby and drops its role and slot', async () => {
    const users = await createUsersPrimary();
    const { primary } = users;
    const project = await createProject();
    await writeAdoptingConfig(project, primary);
    await ok(project, ['up', '--plain']);
    expect(hashFiles(users.configFiles)).not.toEqual(users.hashes);

    const remove = await ok(project, ['remove-standby', 'standby1', '--purge']);
    expect(remove.stdout, describeRun(remove)).toMatch(/removed hotstandby's replication rule from .*pg_hba.conf/);
    expect((await rolesAndSlots(primary)).slots).toEqual([]);

    const changed = hashFiles(users.configFiles);
    const dry = await ok(project, ['down', '--restore', '--dry-run']);
    expect(dry.stdout, describeRun(dry)).toMatch(/\[master\] SQL: DROP ROLE IF EXISTS "repuser"/);
    expect(dry.stdout).toContain(`restoring ${path.join(primary.dataDir, 'pg_hba.conf')}`);
    expect(hashFiles(users.configFiles), 'the dry run changed nothing').toEqual(changed);
    expect((await rolesAndSlots(primary)).roles).toEqual(['repuser']);

    const restore = await ok(project, ['down', '--restore']);
    expect(hashFiles(users.configFiles), describeRun(restore)).toEqual(users.hashes);
    expect(Object.fromEntries(users.configFiles.map((f) => [f, fileFacts(f)]))).toEqual(users.facts);
    expect(await rolesAndSlots(primary)).toEqual({ roles: [], slots: [] });
  });
});
