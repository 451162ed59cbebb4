// A primary with group access (initdb -g: data directory 0750, files 0640): the standby hotstandby builds has the
// same modes, its top directory included.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { createUsersPrimary, writeAdoptingConfig } from './support/adopted-primary.js';
import { describeRun } from './support/cli.js';
import { nodeNamed, statusOf } from './support/cluster-json.js';
import { createProject } from './support/project.js';

const modeOf = (p: string) => statSync(p).mode & 0o777;

describe('adopting a primary with group access', () => {
  test("the standby's data directory is 0750 like the primary's, and its files 0640", async () => {
    const users = await createUsersPrimary();
    const { primary } = users;
    // What initdb -g makes: the server takes group access from its data directory's mode at start.
    execFileSync('chmod', ['-R', 'g+rX', primary.dataDir]);
    await primary.node.stop('fast');
    await primary.node.start();
    expect(modeOf(primary.dataDir)).toBe(0o750);

    const project = await createProject();
    await writeAdoptingConfig(project, primary, 'mine');
    const up = await project.run(['up']);
    expect(up.code, describeRun(up)).toBe(0);

    const standby = nodeNamed(await statusOf(project), 'standby1');
    expect(standby).toMatchObject({ running: true, inRecovery: true });
    expect(modeOf(standby.dataDir).toString(8), "the top directory has the primary's mode").toBe('750');
    expect(modeOf(path.join(standby.dataDir, 'PG_VERSION')).toString(8)).toBe('640');
  });
});
