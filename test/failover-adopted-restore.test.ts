// A switchover away from a primary hotstandby adopted, then down --restore: what the switchover did to the
// user's data directory (standby.signal, recovery settings) was journaled, so restore puts every config file
// back byte for byte and leaves no standby marker, and the replication role is gone.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { describeRun } from './support/cli.js';
import { nodeNamed, statusOf } from './support/cluster-json.js';
import { ok } from './support/cluster-nodes.js';
import { createUsersPrimary, writeAdoptingConfig } from './support/adopted-primary.js';
import { hashFiles } from './support/files.js';
import { withClient } from './support/pg.js';
import { createProject } from './support/project.js';
import { waitFor } from './support/wait.js';

describe('down --restore after a switchover away from an adopted primary', () => {
  test("puts the adopted primary's files back as they were, standby marker gone", async () => {
    const users = await createUsersPrimary();
    const { primary } = users;
    const project = await createProject();
    await writeAdoptingConfig(project, primary, 'mine');
    await ok(project, ['up', '--plain']);
    await ok(project, ['switchover', 'standby1', '--plain'], { timeoutMs: 240_000 });
    const status = await waitFor(
      async () => {
        const seen = await statusOf(project);
        return nodeNamed(seen, 'mine').state === 'streaming' ? seen : undefined;
      },
      { what: 'mine to stream from standby1', timeoutMs: 30_000 },
    );
    expect(nodeNamed(status, 'mine')).toMatchObject({ role: 'standby', upstream: 'standby1' });
    expect(existsSync(path.join(primary.dataDir, 'standby.signal'))).toBe(true);
    const standbyPort = nodeNamed(status, 'standby1').port;

    const restore = await project.run(['down', '--restore']);
    expect(restore.code, describeRun(restore)).toBe(0);
    expect(hashFiles(users.configFiles), 'every config file of the adopted primary is back byte for byte').toEqual(users.hashes);
    expect(existsSync(path.join(primary.dataDir, 'standby.signal')), 'the standby marker the switchover wrote is gone').toBe(false);
    await ok(project, ['start', 'standby1']);
    const roles = await withClient(standbyPort, primary.superuserPassword, async (c) => (await c.query("SELECT 1 FROM pg_roles WHERE rolname = 'repuser'")).rowCount);
    expect(roles).toBe(0);
  });
});
