// Custom step plugins from the config as a user writes them: local .ts/.js files placed with "pipeline" or by
// their own before/after, options from the plugins entry and from "steps", a replaced and a disabled built-in,
// `hotstandby plugins [--json]`, and refusals of bad plugin configs before anything is created.
import { describe, expect, test } from 'vitest';
import { describeRun, parseJson } from './support/cli.js';
import { expectUserError } from './support/cluster-json.js';
import { listTree } from './support/files.js';
import { withClient, waitForReplay } from './support/pg.js';
import { linkHotstandbyCore, writeProjectFile } from './support/plugin-files.js';
import { clusterConfig, createProject, type Project } from './support/project.js';

// A primary step that logs a row into public.plugin_log (once: a second run plans nothing), with its options.
// It imports a helper as TypeScript writes it ("./audit-sql.js" for audit-sql.ts), in a folder without package.json.
const AUDIT = `import { definePlugin, z } from '@hotstandby/core';
import { CREATE_LOG } from './audit-sql.js';

const options = z.strictObject({ label: z.string(), level: z.int().min(1) });

export default definePlugin<z.infer<typeof options>>({
  name: 'audit',
  description: 'Log the options it got into public.plugin_log.',
  scope: 'primary',
  options,
  async plan(ctx) {
    const info = ctx.options.label + '/' + ctx.options.level;
    const table = await ctx.primary.queryOne<{ t: string | null }>("SELECT to_regclass('public.plugin_log')::text AS t");
    const logged = table?.t ? await ctx.primary.query("SELECT 1 FROM public.plugin_log WHERE step = 'audit'") : [];
    if (logged.length > 0) return { actions: [] };
    return {
      actions: [
        { kind: 'sql', node: ctx.primary.name, sql: CREATE_LOG, summary: 'create plugin_log' },
        { kind: 'sql', node: ctx.primary.name, sql: "INSERT INTO public.plugin_log (step, info) VALUES ('audit', $1)", params: [info], summary: 'log audit' },
      ],
    };
  },
});
`;

// A cluster step that asks to run after recovery-config (JavaScript, no TypeScript), logging how many standbys run.
const AFTER_STANDBYS = `export default {
  name: 'after-standbys',
  description: 'Log the standbys that are in recovery.',
  scope: 'cluster',
  after: ['recovery-config'],
  async plan(ctx) {
    const logged = await ctx.primary.query("SELECT 1 FROM public.plugin_log WHERE step = 'after-standbys'");
    if (logged.length > 0) return { actions: [] };
    const inRecovery = [];
    for (const s of ctx.standbys) if (await s.isInRecovery()) inRecovery.push(s.name);
    return { actions: [{ kind: 'sql', node: ctx.primary.name, sql: "INSERT INTO public.plugin_log (step, info) VALUES ('after-standbys', $1)", params: [inRecovery.join(',')], summary: 'log standbys' }] };
  },
};
`;

const PIPELINE = ['user-creation', 'hba-config', 'wal-config', 'audit', 'base-backup', 'recovery-config', 'verify'];

async function pluginProject(extra: Record<string, unknown> = {}): Promise<{ project: Project; config: Record<string, unknown> }> {
  const project = await createProject('hotstandby-e2e-plugins-');
  await linkHotstandbyCore(project);
  await writeProjectFile(project, 'steps/audit.ts', AUDIT);
  await writeProjectFile(
    project,
    'steps/audit-sql.ts',
    "export const CREATE_LOG: string = 'CREATE TABLE IF NOT EXISTS public.plugin_log (n serial PRIMARY KEY, step text NOT NULL, info text NOT NULL)';\n",
  );
  await writeProjectFile(project, 'steps/after-standbys.js', AFTER_STANDBYS);
  const config = await clusterConfig({
    superuser: { password: 'plugins-e2e-pw' },
    plugins: [['./steps/audit.ts', { label: 'from-entry', level: 1 }], './steps/after-standbys.js'],
    pipeline: PIPELINE,
    steps: { audit: { level: 2 } },
    ...extra,
  });
  await project.writeConfig('hotstandby.config.json', config);
  return { project, config };
}

describe('custom step plugins from the config', () => {
  test('a plugin file in a project with no node_modules imports @hotstandby/core from the running hotstandby', async () => {
    const project = await createProject('hotstandby-e2e-plugins-');
    await writeProjectFile(project, 'steps/audit.ts', AUDIT);
    await writeProjectFile(project, 'steps/audit-sql.ts', "export const CREATE_LOG: string = 'SELECT 1';\n");
    await project.writeConfig('hotstandby.config.json', await clusterConfig({ plugins: [['./steps/audit.ts', { label: 'x', level: 1 }]], pipeline: PIPELINE }));
    const result = await project.run(['plugins', '--json']);
    expect(result.code, describeRun(result)).toBe(0);
    expect(JSON.stringify(parseJson(result))).toContain('"audit"');
  });

  test('up runs a .ts plugin placed by "pipeline" and a .js plugin placed by its after, with options from both places; a second up changes nothing', async () => {
    const { project, config } = await pluginProject();

    const listed = await project.run(['plugins', '--json']);
    expect(listed.code, describeRun(listed)).toBe(0);
    const pipeline = parseJson<{ steps: { name: string; placement: string; origin: string; scope: string }[] }>(listed);
    expect(pipeline.steps.map((s) => [s.name, s.placement])).toEqual([
      ['user-creation', 'pipeline'],
      ['hba-config', 'pipeline'],
      ['wal-config', 'pipeline'],
      ['audit', 'pipeline'],
      ['base-backup', 'pipeline'],
      ['recovery-config', 'pipeline'],
      ['after-standbys', 'before/after'],
      ['verify', 'pipeline'],
    ]);
    expect(pipeline.steps.find((s) => s.name === 'audit')!.origin).toBe(project.path('steps', 'audit.ts'));

    const up = await project.run(['up', '--plain']);
    expect(up.code, describeRun(up)).toBe(0);
    const order = ['user-creation', 'hba-config', 'wal-config', 'audit', 'base-backup', 'recovery-config', 'after-standbys', 'verify'].map((s) => up.stdout.indexOf(`✔ ${s} · `));
    expect(
      order.every((i) => i >= 0),
      describeRun(up),
    ).toBe(true);
    expect(
      [...order].sort((a, b) => a - b),
      describeRun(up),
    ).toEqual(order);

    const primaryPort = (config.primary as { port: number }).port;
    const standbyPort = (config.standbys as { port: number }[])[0]!.port;
    const expected = [
      { step: 'audit', info: 'from-entry/2' },
      { step: 'after-standbys', info: 'standby1' },
    ];
    await withClient(primaryPort, 'plugins-e2e-pw', async (primary) => {
      expect((await primary.query('SELECT step, info FROM public.plugin_log ORDER BY n')).rows).toEqual(expected);
      await withClient(standbyPort, 'plugins-e2e-pw', async (standby) => {
        await waitForReplay(primary, standby);
        expect((await standby.query('SELECT step, info FROM public.plugin_log ORDER BY n')).rows).toEqual(expected);
      });
    });

    const again = await project.run(['up', '--plain']);
    expect(again.code, describeRun(again)).toBe(0);
    expect(again.stdout, describeRun(again)).toContain('Everything was already in place; nothing changed.');
  });

  test('hotstandby plugins: order, scope, origin, placement; a replaced and a disabled built-in are named', async () => {
    const project = await createProject('hotstandby-e2e-plugins-');
    await writeProjectFile(
      project,
      'steps/verify.js',
      `export default { name: 'verify', description: 'my own verify', scope: 'cluster', async plan() { return { actions: [] }; } };\n`,
    );
    await writeProjectFile(
      project,
      'steps/seed.js',
      `export default { name: 'seed', description: 'seed', scope: 'primary', before: ['base-backup'], async plan() { return { actions: [] }; } };\n`,
    );
    await project.writeConfig('hotstandby.config.json', await clusterConfig({ plugins: ['./steps/seed.js', './steps/verify.js'], disable: ['wal-config'] }));

    const text = await project.run(['plugins']);
    expect(text.code, describeRun(text)).toBe(0);
    const lines = text.stdout.split('\n');
    const row = (step: string) => lines.find((l) => new RegExp(`^\\d+\\s+${step}\\s`).test(l)) ?? '';
    expect(text.stdout).toContain('Pipeline of ./hotstandby.config.json: 6 step(s), in run order');
    expect(lines.find((l) => l.startsWith('#'))).toMatch(/^#\s+STEP\s+SCOPE\s+PLACED BY\s+ORIGIN$/);
    expect(row('user-creation')).toMatch(/^1\s+user-creation\s+primary\s+built-in order\s+@hotstandby\/plugin-user-creation@\d+\.\d+\.\d+ \(built-in\)$/);
    expect(row('seed')).toMatch(/^3\s+seed\s+primary\s+before base-backup\s+\.\/steps\/seed\.js$/);
    expect(row('base-backup')).toMatch(/^4\s+base-backup\s+each standby\s+built-in order\s/);
    expect(row('verify')).toMatch(/^6\s+verify\s+cluster\s+built-in order\s+\.\/steps\/verify\.js \(replaces the built-in\)$/);
    expect(row('wal-config')).toBe('');
    expect(text.stdout).toMatch(/Replaced built-in steps:\n {2}verify: @hotstandby\/plugin-verify@[\d.]+ \(built-in\) is replaced by \.\/steps\/verify\.js/);
    expect(text.stdout).toMatch(/Not run:\n {2}wal-config \(@hotstandby\/plugin-wal-config@[\d.]+ \(built-in\)\): listed in "disable"/);

    const json = parseJson<{
      config: string;
      steps: { name: string; runsOn: string; builtin: boolean; origin: string; replaces: string | null }[];
      replaced: unknown[];
      disabled: { name: string; reason: string }[];
    }>(await project.run(['plugins', '--json']));
    expect(json.config).toBe(project.path('hotstandby.config.json'));
    expect(json.steps.map((s) => `${s.name}:${s.runsOn}`)).toEqual([
      'user-creation:primary',
      'hba-config:primary',
      'seed:primary',
      'base-backup:each standby',
      'recovery-config:each standby',
      'verify:cluster',
    ]);
    expect(json.steps.find((s) => s.name === 'verify')).toMatchObject({ builtin: false, replaces: expect.stringMatching(/^@hotstandby\/plugin-verify@/) });
    // As docs/plugins.md says: the table shortens a file below the current directory, the JSON has its absolute path.
    expect(json.steps.find((s) => s.name === 'seed')!.origin).toBe(project.path('steps', 'seed.js'));
    expect(json.disabled).toEqual([expect.objectContaining({ name: 'wal-config', reason: 'disable' })]);
    expect(listTree(project.dir).filter((p) => p.startsWith('.hotstandby'))).toEqual([]);
  });

  test('a replaced verify answers verify --json with its summary; with verify disabled, up does not claim "verified"', async () => {
    const project = await createProject('hotstandby-e2e-plugins-');
    await writeProjectFile(
      project,
      'steps/verify.js',
      `export default { name: 'verify', description: 'my own verify', scope: 'cluster', async plan() { return { actions: [] }; }, async apply() { return { summary: 'checked by my team' }; } };\n`,
    );
    const config = await clusterConfig({ plugins: ['./steps/verify.js'] });
    await project.writeConfig('hotstandby.config.json', config);
    const up = await project.run(['up', '--plain']);
    expect(up.code, describeRun(up)).toBe(0);
    expect(up.stdout, describeRun(up)).toContain('Done: the cluster is up and verified.');
    const json = await project.run(['verify', '--json']);
    expect(json.code, describeRun(json)).toBe(0);
    expect(parseJson(json)).toEqual({ ok: true, summary: 'checked by my team' });
    const text = await project.run(['verify']);
    expect(text.stdout, describeRun(text)).toContain('Verified: checked by my team');

    await project.writeConfig('hotstandby.config.json', { ...config, plugins: [], disable: ['verify'] });
    const again = await project.run(['up', '--plain']);
    expect(again.code, describeRun(again)).toBe(0);
    expect(again.stdout, describeRun(again)).toContain(
      'Everything was already in place; nothing changed. The cluster is up; it was not verified (the pipeline has no verify step).',
    );
    expectUserError(await project.run(['verify']), ['the step "verify" is disabled in', 'take "verify" out of "disable"']);
  });

  const refusals: { name: string; extra: Record<string, unknown>; files?: Record<string, string>; mentions: (string | RegExp)[] }[] = [
    {
      name: 'an unknown step in pipeline',
      extra: { pipeline: [...PIPELINE.slice(0, 3), 'audti', ...PIPELINE.slice(4)] },
      mentions: ['"audti"', 'key pipeline', /fix: known steps: .*audit/],
    },
    { name: 'a step listed twice in pipeline', extra: { pipeline: [...PIPELINE, 'audit'] }, mentions: ['"audit" twice'] },
    {
      name: 'a cycle between plugins',
      extra: { plugins: ['./steps/a.js', './steps/b.js'], pipeline: undefined, steps: {} },
      files: {
        'steps/a.js': "export default { name: 'a', description: 'a', scope: 'primary', before: ['b'], after: ['hba-config'], async plan() { return { actions: [] }; } };\n",
        'steps/b.js': "export default { name: 'b', description: 'b', scope: 'primary', before: ['a'], async plan() { return { actions: [] }; } };\n",
      },
      mentions: ['cycle', 'steps/a.js', 'steps/b.js'],
    },
    {
      name: 'a before/after naming a step no plugin provides',
      extra: { plugins: ['./steps/audit.ts', './steps/after-standbys.js', './steps/typo.js'], pipeline: undefined, steps: { audit: { label: 'x', level: 1 } } },
      files: { 'steps/typo.js': "export default { name: 'typo', description: 't', scope: 'primary', after: ['no-such-step'], async plan() { return { actions: [] }; } };\n" },
      mentions: [
        'step "typo"',
        'wants to run after "no-such-step", but no step of that name exists (a typo?)',
        'key plugins[2]',
        /fix: name one of the known steps in its "after": user-creation, .*after-standbys/,
      ],
    },
    {
      name: 'the same plugin twice',
      extra: { plugins: ['./steps/audit.ts', './steps/audit.ts'] },
      mentions: ['two plugins define the step "audit"', '(plugins[0])', '(plugins[1])'],
    },
    { name: 'a missing plugin file', extra: { plugins: ['./steps/nope.ts'] }, mentions: ['steps/nope.ts', 'does not exist', 'key plugins[0]'] },
    {
      name: 'a bad option in the plugins entry',
      extra: { plugins: [['./steps/audit.ts', { label: 'x', level: 0 }], './steps/after-standbys.js'], steps: {} },
      mentions: ['plugins[0][1].level', 'steps/audit.ts'],
    },
    {
      name: 'a missing required option',
      extra: { plugins: ['./steps/audit.ts', './steps/after-standbys.js'], steps: { audit: { level: 2 } } },
      mentions: [
        'steps.audit.label: missing required option "label"',
        'fix: set it in the config: "steps": { "audit": { "label": … } }, or next to the plugin in plugins[0]: ["./steps/audit.ts", { "label": … }] (its options are the schema in',
        'steps/audit.ts)',
      ],
    },
    {
      name: 'a plugin the pipeline does not place',
      extra: { plugins: ['./steps/audit.ts', './steps/loose.js'] },
      files: { 'steps/loose.js': "export default { name: 'loose', description: 'l', scope: 'primary', async plan() { return { actions: [] }; } };\n" },
      mentions: ['step "loose"', 'has no place', 'add "loose" to "pipeline"'],
    },
  ];
  for (const c of refusals) {
    test(`refuses ${c.name} before anything is created, in one message`, async () => {
      const { project } = await pluginProject(c.extra);
      for (const [file, content] of Object.entries(c.files ?? {})) await writeProjectFile(project, file, content);
      for (const args of [['up'], ['plugins']]) {
        const result = await project.run(args);
        expectUserError(result, c.mentions);
      }
      expect(listTree(project.dir).filter((p) => p.startsWith('.hotstandby'))).toEqual([]);
    });
  }
});
