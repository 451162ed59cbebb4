// A plugin that throws: the CLI's one message names the plugin (its file), the step and the node; what earlier
// steps did stays (journaled, state readable), nothing is half-written, and a run after the fix completes.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { createUsersPrimary, rolesAndSlots } from './support/adopted-primary.js';
import { describeRun } from './support/cli.js';
import { expectUserError, verifyOf } from './support/cluster-json.js';
import { sha256File } from './support/files.js';
import { linkHotstandbyCore, writeProjectFile } from './support/plugin-files.js';
import { clusterConfig, createProject } from './support/project.js';

// A primary step placed after hba-config that records a row; BROKEN makes its apply throw after planning.
const markStep = (broken: boolean) => `import { definePlugin } from '@hotstandby/core';

export default definePlugin({
  name: 'mark',
  description: 'Record that the pipeline got this far.',
  scope: 'primary',
  after: ['hba-config'],
  async plan(ctx) {
    const done = await ctx.primary.queryOne<{ t: string | null }>("SELECT to_regclass('public.marked')::text AS t");
    return { actions: done?.t ? [] : [{ kind: 'sql', node: ctx.primary.name, sql: 'CREATE TABLE public.marked (at timestamptz DEFAULT now())', summary: 'create marked' }] };
  },
  async apply(ctx, plan) {
    ${broken ? "throw new Error('the marker service is unreachable');" : 'await ctx.run(plan.actions);'}
  },
});
`;

interface JournalEntry {
  kind: string;
  path?: string;
  role?: string;
  backup?: string;
}

describe('an error inside a plugin', () => {
  test('names plugin, step and node; earlier changes stay journaled; the re-run after the fix completes', async () => {
    const users = await createUsersPrimary();
    const { primary } = users;
    const hbaFile = path.join(primary.dataDir, 'pg_hba.conf');
    const project = await createProject('hotstandby-e2e-plugins-');
    await linkHotstandbyCore(project);
    const plugin = await writeProjectFile(project, 'steps/mark.ts', markStep(true));
    const config = await clusterConfig({ superuser: { password: primary.superuserPassword }, plugins: ['./steps/mark.ts'] });
    config.primary = { name: 'mine', dataDir: primary.dataDir };
    await project.writeConfig('hotstandby.config.json', config);

    const failed = await project.run(['up', '--plain']);
    expectUserError(failed, [
      `hotstandby: error: step mark (${plugin}) failed in apply on mine: the marker service is unreachable`,
      `where: step mark, node mine, plugin ${plugin}`,
      '(PLUGIN_FAILED)',
    ]);
    expect(failed.stdout + failed.stderr).not.toContain(primary.superuserPassword);

    // What user-creation and hba-config did is in place and journaled (original bytes kept for --restore).
    expect(await rolesAndSlots(primary)).toEqual({ roles: ['repuser'], slots: [] });
    expect(readFileSync(hbaFile, 'utf8')).toMatch(/^host\s+replication\s+"repuser"\s+127\.0\.0\.1\/32\s+scram-sha-256/m);
    const stateFile = project.path('.hotstandby', 'state.json');
    const journal = (JSON.parse(readFileSync(stateFile, 'utf8')) as { journal: JournalEntry[] }).journal;
    const hbaEntries = journal.filter((e) => e.kind === 'file' && e.path === hbaFile);
    expect(hbaEntries).toHaveLength(1);
    expect(sha256File(hbaEntries[0]!.backup!)).toBe(users.hashes[hbaFile]);
    expect(journal.filter((e) => e.kind === 'role' && e.role === 'repuser')).toHaveLength(1);
    // Nothing after the failing step ran: no standby, not even a half-made one, and no lock left behind.
    expect(existsSync(project.path('.hotstandby', 'data', 'standby1'))).toBe(false);
    expect(existsSync(project.path('.hotstandby', 'lock'))).toBe(false);

    // Fixed, the next run picks up where it stopped: earlier steps have nothing to do, the rest runs.
    await writeProjectFile(project, 'steps/mark.ts', markStep(false));
    const fixed = await project.run(['up', '--plain']);
    expect(fixed.code, describeRun(fixed)).toBe(0);
    expect(fixed.stdout, describeRun(fixed)).toMatch(/✔ user-creation · mine: already in place/);
    expect(fixed.stdout, describeRun(fixed)).toMatch(/✔ mark · mine: /);
    const verify = await verifyOf(project);
    expect(verify.report.ok, describeRun(verify.result)).toBe(true);
    const after = (JSON.parse(readFileSync(stateFile, 'utf8')) as { journal: JournalEntry[] }).journal;
    expect(
      after.filter((e) => e.kind === 'file' && e.path === hbaFile),
      'pg_hba.conf is journaled once, with its original bytes',
    ).toHaveLength(1);
    expect(after.filter((e) => e.kind === 'role')).toHaveLength(1);
  });

  test('a standby step that throws names the standby; the other standby of the wave still completes', async () => {
    const project = await createProject('hotstandby-e2e-plugins-');
    const plugin = await writeProjectFile(
      project,
      'steps/check-standby.js',
      `export default {
  name: 'check-standby',
  description: 'Fail on standby2 only.',
  scope: 'standby',
  after: ['base-backup'],
  before: ['recovery-config'],
  async plan(ctx) {
    if (ctx.node.name === 'standby2') throw new RangeError('standby2 is not welcome here');
    return { actions: [] };
  },
};
`,
    );
    await project.writeConfig('hotstandby.config.json', await clusterConfig({ standbys: ['standby1', 'standby2'], plugins: ['./steps/check-standby.js'] }));
    const failed = await project.run(['up', '--plain']);
    expectUserError(failed, [`hotstandby: error: step check-standby (${plugin}) failed in plan on standby2: standby2 is not welcome here`, 'node standby2']);
    expect(failed.stdout, describeRun(failed)).toMatch(/✔ recovery-config · standby1/);
    // recovery-config wrote standby1's primary_conninfo and never ran on standby2.
    const autoConf = (name: string) => readFileSync(project.path('.hotstandby', 'data', name, 'postgresql.auto.conf'), 'utf8');
    expect(autoConf('standby1')).toMatch(/^primary_conninfo = /m);
    expect(autoConf('standby2')).not.toMatch(/^primary_conninfo = /m);

    // --verbose adds the plugin's own stack: the file and line that threw.
    const verbose = await project.run(['up', '--plain', '--verbose']);
    expect(verbose.code, describeRun(verbose)).toBe(1);
    expect(verbose.stderr, describeRun(verbose)).toContain('RangeError: standby2 is not welcome here');
    expect(verbose.stderr, describeRun(verbose)).toContain(`at Object.plan (file://${plugin}:8:`);
  });
  test('a plugin that no longer loads blocks up and verify, but not status, stop, start or down', async () => {
    const project = await createProject('hotstandby-e2e-plugins-');
    await linkHotstandbyCore(project);
    const plugin = await writeProjectFile(project, 'steps/mark.ts', markStep(false));
    await project.writeConfig('hotstandby.config.json', await clusterConfig({ plugins: ['./steps/mark.ts'] }));
    const up = await project.run(['up', '--plain']);
    expect(up.code, describeRun(up)).toBe(0);

    await writeProjectFile(project, 'steps/mark.ts', "throw new Error('half-edited plugin');\n");
    expectUserError(await project.run(['up', '--plain']), [plugin, 'half-edited plugin']);
    expectUserError(await project.run(['verify']), [plugin]);
    for (const args of [['status'], ['stop'], ['start'], ['env'], ['down', '--purge']]) {
      const result = await project.run(args);
      expect(result.code, describeRun(result)).toBe(0);
    }
    expect(existsSync(project.path('.hotstandby'))).toBe(false);
  });
});
