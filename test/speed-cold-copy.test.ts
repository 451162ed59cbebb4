// The standbys of a cluster `up` creates are cold copies of the new primary, taken while it is cleanly shut down
// before its first start (no checkpoint, no WAL streamed for a base backup); where a copy cannot be used they get
// the usual base backup, and existing or adopted primaries, add-standby and rebuild never take one.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { chmod, chown, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { readSystemIdentifier, resolveServerUser } from '@hotstandby/core';
import { describeRun } from './support/cli.js';
import { nodeNamed, statusOf } from './support/cluster-json.js';
import { linkHotstandbyCore, writeProjectFile } from './support/plugin-files.js';
import { clusterConfig, createProject } from './support/project.js';

const TIMEOUT = { timeoutMs: 240_000 };

// Cold copies left in the state directory's run directory or beside a node's data directory.
function coldCopies(status: { stateDir: string; nodes: { dataDir: string }[] }): string[] {
  const run = path.join(status.stateDir, 'run');
  const found = existsSync(run) ? readdirSync(run).filter((n) => n.startsWith('cold-copy-')) : [];
  for (const parent of new Set(status.nodes.map((n) => path.dirname(n.dataDir)))) {
    found.push(...readdirSync(parent).filter((n) => n.includes('.hotstandby-cold-copy-of-')));
  }
  return found;
}

// A primary step placed before the base backups that makes the primary checkpoint: the slots then reserve WAL
// only from after the cold copies' checkpoint, so the copies cannot be used.
const CHECKPOINT_STEP = `import { definePlugin } from '@hotstandby/core';
export default definePlugin({
  name: 'checkpoint-now',
  description: 'CHECKPOINT on the primary.',
  scope: 'primary',
  after: ['wal-config'],
  before: ['base-backup'],
  async plan(ctx) {
    return { actions: [{ kind: 'sql', node: ctx.primary.name, sql: 'CHECKPOINT', summary: 'checkpoint' }] };
  },
});
`;

// A primary step placed before the base backups that makes a tablespace in a directory of the test's: a copy
// cannot map it, and replaying its creation on this machine would land in the primary's own directory.
function tablespaceStep(location: string): string {
  return `import { definePlugin } from '@hotstandby/core';
export default definePlugin({
  name: 'tablespace-now',
  description: 'CREATE TABLESPACE on the primary.',
  scope: 'primary',
  after: ['wal-config'],
  before: ['base-backup'],
  async plan(ctx) {
    const there = await ctx.primary.queryOne("SELECT 1 AS one FROM pg_tablespace WHERE spcname = 'ts1'");
    if (there) return { actions: [] };
    return { actions: [
      { kind: 'sql', node: ctx.primary.name, sql: "CREATE TABLESPACE ts1 LOCATION '${location}'", summary: 'create ts1' },
      { kind: 'sql', node: ctx.primary.name, sql: 'CREATE TABLE kept (n int) TABLESPACE ts1', summary: 'a table in ts1' },
    ] };
  },
});
`;
}

describe('cold copies of a new primary for its standbys', () => {
  test('a new 1+2 cluster: both standbys are cold copies, stream, verify and keep the replication rule; no copy is left; a switchover works', async () => {
    const project = await createProject();
    await project.writeConfig('hotstandby.config.json', await clusterConfig({ standbys: ['standby1', 'standby2'] }));
    const up = await project.run(['up', '--plain'], { ...TIMEOUT, env: { HOTSTANDBY_TIMINGS: '1' } });
    expect(up.code, describeRun(up)).toBe(0);
    expect(up.stdout, describeRun(up)).toMatch(/take cold copies of primary for standby1, standby2|base-backup · standby1: cold copy of primary through slot standby1/);
    // Taken beside the standbys' data directories, the copies are renamed into place: one cp for the template and
    // one per standby, no second copy.
    expect(up.stderr, describeRun(up)).toMatch(/programs run: (.* )?cp×3( |;)/);
    for (const standby of ['standby1', 'standby2']) expect(up.stdout, describeRun(up)).toContain(`base-backup · ${standby}: cold copy of primary through slot ${standby}`);
    expect(up.stdout, describeRun(up)).not.toMatch(/pg_basebackup from primary/);
    expect(up.stdout, describeRun(up)).toMatch(/2 standby\(s\) read-only and streaming/);
    const status = await statusOf(project);
    const primary = nodeNamed(status, 'primary');
    expect(coldCopies(status)).toEqual([]);
    for (const name of ['standby1', 'standby2']) {
      const standby = nodeNamed(status, name);
      expect(await readSystemIdentifier(standby.dataDir)).toBe(await readSystemIdentifier(primary.dataDir));
      // What the primary's pg_hba got after the copy (the replication rule) is in the standby's too, as in a base backup.
      expect(readFileSync(path.join(standby.dataDir, 'pg_hba.conf'), 'utf8')).toBe(readFileSync(path.join(primary.dataDir, 'pg_hba.conf'), 'utf8'));
    }

    // The copies were the standbys' alone; the other standby follows a cloned one after a switchover.
    const switchover = await project.run(['switchover', 'standby1', '--plain'], TIMEOUT);
    expect(switchover.code, describeRun(switchover)).toBe(0);
    const verify = await project.run(['verify'], TIMEOUT);
    expect(verify.code, describeRun(verify)).toBe(0);

    // A killed run's copies are removed by the next up, and by down.
    const standby2 = nodeNamed(status, 'standby2').dataDir;
    const leftBeside = path.join(path.dirname(standby2), `.${path.basename(standby2)}.hotstandby-cold-copy-of-primary`, 'PG_VERSION');
    const leftInRun = path.join(status.stateDir, 'run', 'cold-copy-primary-for-standby2', 'PG_VERSION');
    for (const file of [leftBeside, leftInRun]) await writeProjectFile(project, path.relative(project.dir, file), '15\n');
    const again = await project.run(['up', '--plain'], TIMEOUT);
    expect(again.code, describeRun(again)).toBe(0);
    expect(coldCopies(status)).toEqual([]);
    await writeProjectFile(project, path.relative(project.dir, leftBeside), '15\n');
    const down = await project.run(['down'], TIMEOUT);
    expect(down.code, describeRun(down)).toBe(0);
    expect(down.stdout + down.stderr, describeRun(down)).toContain(`removing ${path.dirname(leftBeside)}`);
    expect(coldCopies(status)).toEqual([]);
  });

  test('a standby whose slot does not reach back to the cold copy gets pg_basebackup instead, and up says why', async () => {
    const project = await createProject();
    await linkHotstandbyCore(project);
    await writeProjectFile(project, 'steps/checkpoint-now.js', CHECKPOINT_STEP);
    await project.writeConfig('hotstandby.config.json', await clusterConfig({ standbys: ['standby1'], plugins: ['./steps/checkpoint-now.js'] }));
    const up = await project.run(['up', '--plain'], TIMEOUT);
    expect(up.code, describeRun(up)).toBe(0);
    expect(up.stdout + up.stderr, describeRun(up)).toMatch(
      /the slot standby1 on primary does not keep the WAL since the cold copy's checkpoint [0-9A-F]+\/[0-9A-F]+: pg_basebackup from primary/,
    );
    expect(up.stdout, describeRun(up)).toContain('base-backup · standby1: pg_basebackup from primary through slot standby1');
    expect(up.stdout, describeRun(up)).toMatch(/1 standby\(s\) read-only and streaming/);
    expect(coldCopies(await statusOf(project))).toEqual([]);
  });

  test('--dry-run says which standbys get a cold copy; method pg_basebackup, and add-standby on a running primary, take none', async () => {
    const project = await createProject();
    const config = await clusterConfig({ standbys: ['standby1'] });
    await project.writeConfig('hotstandby.config.json', config);
    const dry = await project.run(['up', '--dry-run'], TIMEOUT);
    expect(dry.code, describeRun(dry)).toBe(0);
    expect(dry.stdout).toMatch(/take cold copies of primary for standby1 \(their base backups: no checkpoint, no WAL streaming\)/);
    expect(dry.stdout).toMatch(/base backup of primary into .*standby1: the cold copy taken before primary's first start/);
    expect(dry.stdout).toMatch(/if the copy is gone or the slot does not reach back to its checkpoint: pg_basebackup from primary/);

    await project.writeConfig('hotstandby.config.json', { ...config, steps: { 'base-backup': { method: 'pg_basebackup' } } });
    const explicit = await project.run(['up', '--dry-run'], TIMEOUT);
    expect(explicit.code, describeRun(explicit)).toBe(0);
    expect(explicit.stdout).not.toMatch(/cold cop/);
    expect(explicit.stdout).toMatch(/pg_basebackup from primary into/);

    await project.writeConfig('hotstandby.config.json', { ...config, standbys: [] });
    expect((await project.run(['up', '--plain'], TIMEOUT)).code).toBe(0);
    const add = await project.run(['add-standby', 'late', '--plain'], TIMEOUT);
    expect(add.code, describeRun(add)).toBe(0);
    expect(add.stdout, describeRun(add)).not.toMatch(/cold cop/);
    expect(add.stdout, describeRun(add)).toContain('pg_basebackup from primary through slot late');
  });

  test('a standby whose data directory the user made empty gets the copy copied into it and keeps that directory; one whose new data directory is outside the state directory gets it renamed into place', async () => {
    const project = await createProject();
    const dataDir = project.path('mine', 'standby1');
    const elsewhere = project.path('mine', 'standby2');
    await mkdir(dataDir, { recursive: true });
    await chmod(project.path('mine'), 0o755);
    const before = statSync(dataDir).ino;
    const config = await clusterConfig({ standbys: ['standby1', 'standby2'] });
    const [first, second] = config.standbys as object[];
    await project.writeConfig('hotstandby.config.json', {
      ...config,
      standbys: [
        { ...first, dataDir },
        { ...second, dataDir: elsewhere },
      ],
    });
    const up = await project.run(['up', '--plain'], { ...TIMEOUT, env: { HOTSTANDBY_TIMINGS: '1' } });
    expect(up.code, describeRun(up)).toBe(0);
    for (const name of ['standby1', 'standby2']) expect(up.stdout, describeRun(up)).toContain(`base-backup · ${name}: cold copy of primary through slot ${name}`);
    expect(statSync(dataDir).ino, 'the directory the user made is the data directory, not replaced').toBe(before);
    // The template, the two cold copies, and the copy into the directory the user made: standby2's copy, taken beside
    // its data directory, was renamed into place.
    expect(up.stderr, describeRun(up)).toMatch(/programs run: (.* )?cp×4( |;)/);
    expect(up.stdout, describeRun(up)).toMatch(/2 standby\(s\) read-only and streaming/);
    expect(coldCopies(await statusOf(project))).toEqual([]);
  });

  test("a tablespace made before the base backups: up refuses as for any base backup without a mapping, and the primary's tablespace directory keeps its files", async () => {
    const project = await createProject();
    const location = project.path('ts1');
    await mkdir(location, { mode: 0o700 });
    await chmod(project.dir, 0o755);
    const postgres = resolveServerUser();
    await chown(location, postgres.uid, postgres.gid);
    await linkHotstandbyCore(project);
    await writeProjectFile(project, 'steps/tablespace-now.js', tablespaceStep(location));
    await project.writeConfig('hotstandby.config.json', await clusterConfig({ standbys: ['standby1'], plugins: ['./steps/tablespace-now.js'] }));
    const up = await project.run(['up', '--plain'], TIMEOUT);
    expect(up.code, describeRun(up)).not.toBe(0);
    expect(up.stderr, describeRun(up)).toContain('tablespaceMapping');
    expect(up.stdout, describeRun(up)).not.toContain('cold copy of primary through slot standby1');
    const versionDirs = readdirSync(location);
    expect(versionDirs.length, describeRun(up)).toBe(1);
    expect(readdirSync(path.join(location, versionDirs[0]!)).length, "the primary's tablespace still holds its database directory").toBe(1);
  });
});
