// An adopted primary whose pg_hba.conf lives on a file system that fills up: `down --restore` says which file it
// cannot restore and how to fix it (exit 1, no stack), and restores it once there is room again.
import { execFileSync } from 'node:child_process';
import { copyFile, chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { createUsersPrimary, writeAdoptingConfig } from './support/adopted-primary.js';
import { describeRun } from './support/cli.js';
import { expectUserError } from './support/cluster-json.js';
import { withClient } from './support/pg.js';
import { createProject, deferCleanup } from './support/project.js';

describe('down --restore on a full disk', () => {
  test('names the file it cannot restore and the fix, exits 1 without a stack, and restores it once there is room', async () => {
    const users = await createUsersPrimary();
    const { primary } = users;
    const small = path.join(primary.dir, 'small');
    await mkdir(small);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k,mode=0755', 'hotstandby-test', small]);
    deferCleanup(async () => {
      execFileSync('umount', [small]);
    });
    const hba = path.join(small, 'pg_hba.conf');
    await copyFile(path.join(primary.dataDir, 'pg_hba.conf'), hba);
    await chown(hba, primary.serverUser.uid, primary.serverUser.gid);
    await withClient(primary.port, primary.superuserPassword, (c) => c.query(`ALTER SYSTEM SET hba_file = '${hba}'`));
    await primary.node.restart();
    const original = await readFile(hba, 'utf8');

    const project = await createProject();
    await writeAdoptingConfig(project, primary, 'mine');
    const up = await project.run(['up']);
    expect(up.code, describeRun(up)).toBe(0);
    expect(await readFile(hba, 'utf8')).not.toBe(original);

    // Fill the file system that holds pg_hba.conf.
    const filler = path.join(small, 'filler');
    await writeFile(filler, Buffer.alloc(1024 * 1024)).catch(() => undefined);
    const full = await project.run(['down', '--purge', '--restore']);
    expectUserError(full, [`cannot restore ${hba}`, 'full', 'df -h']);

    await rm(filler, { force: true });
    const down = await project.run(['down', '--purge', '--restore']);
    expect(down.code, describeRun(down)).toBe(0);
    expect(await readFile(hba, 'utf8')).toBe(original);
  });
});
