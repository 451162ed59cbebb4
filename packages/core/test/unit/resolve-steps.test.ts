import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ConfigSource } from '../../src/config/cluster-spec.js';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { isHotstandbyError } from '../../src/errors/hotstandby-error.js';
import { DEFAULT_PIPELINE, resolvePipeline, type LoadedPlugin } from '../../src/cluster/resolve-steps.js';
import type { StepContext } from '../../src/plugin/step-context.js';
import type { StepPlugin, StepScope } from '../../src/plugin/step-plugin.js';
import { hotstandbyErrorFrom } from './support/expect-error.js';

const DIR = path.resolve('/srv/clusters/demo');
const FILE: ConfigSource = { kind: 'file', path: path.join(DIR, 'hotstandby.config.json'), dir: DIR };
const SCOPES: Record<string, StepScope> = { 'base-backup': 'standby', 'recovery-config': 'standby', verify: 'cluster' };

const step = (name: string, extra: Partial<StepPlugin<any>> = {}): StepPlugin<any> => ({
  name,
  description: name,
  scope: SCOPES[name] ?? 'primary',
  plan: async () => ({ actions: [] }),
  ...extra,
});
const BUILTINS: LoadedPlugin[] = DEFAULT_PIPELINE.map((n) => ({ plugin: step(n), origin: `@hotstandby/plugin-${n}@0.1.0 (built-in)`, builtin: true }));
const mine = (name: string, extra: Partial<StepPlugin<any>> = {}, key = 'plugins[0]', options?: Record<string, unknown>): LoadedPlugin => ({
  plugin: step(name, extra),
  origin: path.join(DIR, 'steps', `${name}.ts`),
  configKey: key,
  options,
});
const spec = (raw: Record<string, unknown> = {}) => resolveConfig(raw, FILE);
const names = (plugins: LoadedPlugin[], raw: Record<string, unknown> = {}) => resolvePipeline(spec(raw), plugins).steps.map((s) => s.plugin.name);

describe('resolvePipeline: replacing and disabling built-in steps', () => {
  it('runs the six built-in steps in the recipe order, placed by the default order', () => {
    const resolved = resolvePipeline(spec(), BUILTINS);
    expect(resolved.steps.map((s) => s.plugin.name)).toEqual([...DEFAULT_PIPELINE]);
    expect(resolved.steps.every((s) => s.placement === 'default' && s.builtin)).toBe(true);
    expect(resolved.replaced).toEqual([]);
    expect(resolved.disabled).toEqual([]);
  });

  it('lets a config plugin with a built-in name replace it, in the same place, and says so', () => {
    const replacement = mine('wal-config');
    const resolved = resolvePipeline(spec(), [...BUILTINS, replacement]);
    expect(resolved.steps.map((s) => s.plugin.name)).toEqual([...DEFAULT_PIPELINE]);
    const wal = resolved.steps[2]!;
    expect(wal.origin).toBe(replacement.origin);
    expect(wal.builtin).toBe(false);
    expect(wal.replaces).toBe('@hotstandby/plugin-wal-config@0.1.0 (built-in)');
    expect(resolved.replaced).toEqual([{ name: 'wal-config', builtin: '@hotstandby/plugin-wal-config@0.1.0 (built-in)', by: replacement.origin }]);
  });

  it('replaces a built-in also when the plugin comes first in the list', () => {
    const resolved = resolvePipeline(spec(), [mine('verify', { scope: 'cluster' }), ...BUILTINS]);
    expect(resolved.steps.at(-1)!.origin).toContain('steps/verify.ts');
  });

  it('refuses a replacement that runs on other nodes than the built-in, naming both scopes', () => {
    const error = hotstandbyErrorFrom(() => resolvePipeline(spec(), [...BUILTINS, mine('base-backup', { scope: 'primary' }, 'plugins[3]')]), 'PLUGIN_INVALID');
    expect(error.message).toContain('runs on each standby, but it runs on the primary');
    expect(error.where).toMatchObject({ key: 'plugins[3]', plugin: path.join(DIR, 'steps', 'base-backup.ts'), file: FILE.path });
  });

  it('refuses two config plugins with the same step name, naming both and where they are listed', () => {
    const a = { ...mine('seed', {}, 'plugins[0]'), origin: '/srv/a/seed.ts' };
    const b = { ...mine('seed', {}, 'plugins[2]'), origin: 'hotstandby-plugin-seed@1.2.3' };
    const error = hotstandbyErrorFrom(() => resolvePipeline(spec(), [...BUILTINS, a, b]), 'PLUGIN_INVALID');
    expect(error.message).toBe('two plugins define the step "seed": /srv/a/seed.ts (plugins[0]) and hotstandby-plugin-seed@1.2.3 (plugins[2])');
  });

  it('leaves out the steps listed in disable, and reports them', () => {
    const resolved = resolvePipeline(spec({ disable: ['verify', 'wal-config'] }), BUILTINS);
    expect(resolved.steps.map((s) => s.plugin.name)).toEqual(['user-creation', 'hba-config', 'base-backup', 'recovery-config']);
    expect(resolved.disabled.map((d) => [d.name, d.reason])).toEqual([
      ['wal-config', 'disable'],
      ['verify', 'disable'],
    ]);
  });

  it('refuses to disable a step nobody provides, listing the known ones', () => {
    const error = hotstandbyErrorFrom(() => resolvePipeline(spec({ disable: ['verfy'] }), BUILTINS), 'CONFIG_INVALID');
    expect(error.message).toContain('disable: there is no step called "verfy"');
    expect(error.fix).toContain('verify');
  });

  it('refuses a before/after naming a step no plugin provides as a likely typo, listing the known steps, without blaming "pipeline"', () => {
    const seed = mine('seed', { after: ['no-such-step'] }, 'plugins[2]');
    const error = hotstandbyErrorFrom(() => resolvePipeline(spec(), [...BUILTINS, seed]), 'PLUGIN_INVALID');
    expect(error.message).toBe(`step "seed" (${seed.origin}) wants to run after "no-such-step", but no step of that name exists (a typo?)`);
    expect(error.where).toEqual({ plugin: seed.origin, key: 'plugins[2]', file: FILE.path });
    expect(error.fix).toBe(
      'name one of the known steps in its "after": user-creation, hba-config, wal-config, base-backup, recovery-config, verify (or place "seed" yourself in "pipeline", then its before/after are not used)',
    );
    // Disabled or left out of "pipeline", a step still exists: that is the other message.
    const notRun = hotstandbyErrorFrom(() => resolvePipeline(spec({ pipeline: ['user-creation'] }), [...BUILTINS, mine('seed', { before: ['base-backup'] })]), 'PLUGIN_INVALID');
    expect(notRun.message).toContain('wants to run relative to "base-backup", which is not in the pipeline');
    expect(notRun.where.key).toBe('pipeline');
  });

  it('names "pipeline" in a cycle error only when the config has a pipeline', () => {
    const x = mine('x', { before: ['y'] }, 'plugins[0]');
    const y = mine('y', { before: ['x'] }, 'plugins[1]');
    expect(hotstandbyErrorFrom(() => resolvePipeline(spec(), [...BUILTINS, x, y]), 'PLUGIN_INVALID').where.key).toBeUndefined();
  });

  it('refuses a plugin that wants to run next to a disabled step, unless the pipeline places it', () => {
    const seed = mine('seed', { before: ['base-backup'] });
    const error = hotstandbyErrorFrom(() => resolvePipeline(spec({ disable: ['base-backup'] }), [...BUILTINS, seed]), 'PLUGIN_INVALID');
    expect(error.message).toContain('wants to run relative to "base-backup", which "disable" turns off');
    expect(error.where.plugin).toBe(seed.origin);
    const placed = names([...BUILTINS, seed], { disable: ['base-backup'], pipeline: ['user-creation', 'seed', 'verify'] });
    expect(placed).toEqual(['user-creation', 'seed', 'verify']);
  });
});

describe('resolvePipeline: the pipeline list and before/after', () => {
  it('puts a plugin by its before/after when the config gives no pipeline', () => {
    const resolved = resolvePipeline(spec(), [
      ...BUILTINS,
      mine('seed', { before: ['base-backup'] }),
      mine('smoke', { scope: 'cluster', after: ['recovery-config'] }, 'plugins[1]'),
    ]);
    expect(resolved.steps.map((s) => s.plugin.name)).toEqual(['user-creation', 'hba-config', 'wal-config', 'seed', 'base-backup', 'recovery-config', 'smoke', 'verify']);
    expect(resolved.steps.find((s) => s.plugin.name === 'seed')!.placement).toBe('before/after');
  });

  it('appends a plugin without before/after when there is no pipeline', () => {
    const resolved = resolvePipeline(spec(), [...BUILTINS, mine('notify')]);
    expect(resolved.steps.at(-1)!.plugin.name).toBe('notify');
    expect(resolved.steps.at(-1)!.placement).toBe('appended');
  });

  it('follows the pipeline list; built-ins it leaves out are reported as not run', () => {
    const pipeline = ['user-creation', 'hba-config', 'wal-config', 'seed', 'base-backup', 'recovery-config'];
    const resolved = resolvePipeline(spec({ pipeline }), [...BUILTINS, mine('seed')]);
    expect(resolved.steps.map((s) => s.plugin.name)).toEqual(pipeline);
    expect(resolved.steps.every((s) => s.placement === 'pipeline')).toBe(true);
    expect(resolved.disabled).toEqual([{ name: 'verify', origin: '@hotstandby/plugin-verify@0.1.0 (built-in)', scope: 'cluster', reason: 'not in pipeline' }]);
  });

  it('lets the pipeline list win over the before/after of a plugin it places', () => {
    const seed = mine('seed', { after: ['verify'] });
    expect(names([...BUILTINS, seed], { pipeline: ['seed', 'user-creation', 'verify'] })).toEqual(['seed', 'user-creation', 'verify']);
  });

  it('places a plugin the pipeline does not list by its before/after', () => {
    const seed = mine('seed', { before: ['base-backup'] });
    expect(names([...BUILTINS, seed], { pipeline: ['user-creation', 'base-backup', 'recovery-config'] })).toEqual(['user-creation', 'seed', 'base-backup', 'recovery-config']);
  });

  it('refuses a config plugin that has no place at all, naming it and its entry', () => {
    const error = hotstandbyErrorFrom(() => resolvePipeline(spec({ pipeline: ['user-creation'] }), [...BUILTINS, mine('notify', {}, 'plugins[4]')]), 'PLUGIN_INVALID');
    expect(error.message).toContain('step "notify"');
    expect(error.message).toContain('is loaded but has no place');
    expect(error.where).toMatchObject({ key: 'plugins[4]', plugin: path.join(DIR, 'steps', 'notify.ts') });
    expect(error.fix).toContain('add "notify" to "pipeline"');
  });

  it('refuses an unknown name in the pipeline with the config file named', () => {
    const error = hotstandbyErrorFrom(() => resolvePipeline(spec({ pipeline: ['user-creation', 'sed'] }), [...BUILTINS, mine('seed')]), 'PLUGIN_INVALID');
    expect(error.message).toContain('"sed"');
    expect(error.where).toMatchObject({ key: 'pipeline', file: FILE.path });
    expect(error.fix).toContain('seed');
  });

  it('refuses a cycle between plugins, naming each with its origin', () => {
    const a = mine('a', { before: ['b'], after: ['hba-config'] });
    const b = mine('b', { before: ['a'] }, 'plugins[1]');
    const error = hotstandbyErrorFrom(() => resolvePipeline(spec(), [...BUILTINS, a, b]), 'PLUGIN_INVALID');
    expect(error.message).toContain(`a (${a.origin})`);
    expect(error.message).toContain(`b (${b.origin})`);
  });

  it('refuses options for a step nobody provides', () => {
    const error = hotstandbyErrorFrom(() => resolvePipeline(spec({ steps: { sead: {} } }), BUILTINS), 'CONFIG_INVALID');
    expect(error.where.key).toBe('steps.sead');
  });
});

describe('resolvePipeline: step options', () => {
  const options = z.strictObject({ rows: z.int().min(1).default(10), table: z.string().default('t'), label: z.string().optional() });
  const seed = (entry?: Record<string, unknown>) => mine('seed', { options, before: ['base-backup'] }, 'plugins[1]', entry);
  const optionsOf = (raw: Record<string, unknown>, entry?: Record<string, unknown>) =>
    resolvePipeline(spec(raw), [...BUILTINS, seed(entry)]).steps.find((s) => s.plugin.name === 'seed')!.options;

  it('applies the schema defaults', () => {
    expect(optionsOf({})).toEqual({ rows: 10, table: 't' });
  });

  it('overlays steps.<name> on the options in the plugins entry, key by key', () => {
    expect(optionsOf({ steps: { seed: { rows: 5 } } }, { rows: 3, table: 'items' })).toEqual({ rows: 5, table: 'items' });
    expect(optionsOf({}, { label: 'from entry' })).toEqual({ rows: 10, table: 't', label: 'from entry' });
  });

  it('names the key of a bad value where it was written: steps.<name>', () => {
    const error = hotstandbyErrorFrom(() => optionsOf({ steps: { seed: { rows: 0 } } }, { table: 'items' }), 'CONFIG_INVALID');
    expect(error.message).toMatch(/^invalid config in .*hotstandby\.config\.json: steps\.seed\.rows: /);
    expect(error.where).toMatchObject({ key: 'steps.seed.rows', file: FILE.path, plugin: path.join(DIR, 'steps', 'seed.ts') });
  });

  it('names the key of a bad value where it was written: the plugins entry', () => {
    const error = hotstandbyErrorFrom(() => optionsOf({ steps: { seed: { rows: 2 } } }, { table: 7 }), 'CONFIG_INVALID');
    expect(error.where.key).toBe('plugins[1][1].table');
  });

  it('names an unknown option key and suggests the close one', () => {
    const error = hotstandbyErrorFrom(() => optionsOf({ steps: { seed: { rowz: 2 } } }), 'CONFIG_INVALID');
    expect(error.message).toContain('steps.seed.rowz: unknown key (did you mean "rows"?)');
  });

  // A step with a required option, listed in the config as ./steps/timings.ts (a file) or as a package.
  const required = z.strictObject({ level: z.number(), targets: z.array(z.strictObject({ host: z.string() })).default([]) });
  const timings = (origin: string) => ({ ...mine('timings', { options: required, scope: 'cluster' }, 'plugins[0]'), origin });
  const FILE_PLUGIN = path.join(DIR, 'steps', 'timings.ts');
  const timingsError = (raw: Record<string, unknown>, origin = FILE_PLUGIN) =>
    hotstandbyErrorFrom(() => resolvePipeline(spec(raw), [...BUILTINS, timings(origin)]), 'CONFIG_INVALID');

  it('says a required option is missing and where to set it: steps.<name>, or the plugins entry', () => {
    const error = timingsError({ plugins: ['./steps/timings.ts'] });
    expect(error.message).toBe(`invalid config in ${FILE.path}: steps.timings.level: missing required option "level"`);
    expect(error.where).toMatchObject({ key: 'steps.timings.level', plugin: FILE_PLUGIN });
    expect(error.fix).toBe(
      `set it in the config: "steps": { "timings": { "level": … } }, or next to the plugin in plugins[0]: ["./steps/timings.ts", { "level": … }] (its options are the schema in ${FILE_PLUGIN})`,
    );
    const nested = timingsError({ plugins: ['./steps/timings.ts'], steps: { timings: { level: 1, targets: [{}] } } });
    expect(nested.message).toContain('steps.timings.targets[0].host: missing required option "host"');
    expect(nested.fix).toBe(`add "host" at steps.timings.targets[0] (its options are the schema in ${FILE_PLUGIN})`);
  });

  it("points at the file for a local file plugin's options (it has no README), at the README for a package", () => {
    const file = timingsError({ plugins: ['./steps/timings.ts'], steps: { timings: { level: 'high' } } });
    expect(file.message).toContain('steps.timings.level: ');
    expect(file.fix).toBe(`correct the options of the timings step (its options are the schema in ${FILE_PLUGIN})`);
    const pkg = timingsError({ plugins: ['hotstandby-plugin-timings'], steps: { timings: { level: 'high' } } }, 'hotstandby-plugin-timings@1.0.0');
    expect(pkg.fix).toBe('correct the options of the timings step (see its README)');
    const missing = timingsError({ plugins: ['hotstandby-plugin-timings'] }, 'hotstandby-plugin-timings@1.0.0');
    expect(missing.fix).toBe(
      'set it in the config: "steps": { "timings": { "level": … } }, or next to the plugin in plugins[0]: ["hotstandby-plugin-timings", { "level": … }] (see its README)',
    );
  });
});

describe('resolvePipeline: errors thrown by a plugin', () => {
  const ctxOn = (node: string) => ({ node: { name: node } }) as unknown as StepContext<any>;

  it('name the plugin, where it came from, the step, the node and the phase', async () => {
    const boom = mine('boom', {
      before: ['base-backup'],
      plan: async () => {
        throw new TypeError('cannot read x of undefined');
      },
    });
    const guarded = resolvePipeline(spec(), [...BUILTINS, boom]).steps.find((s) => s.plugin.name === 'boom')!;
    const error = await guarded.plugin.plan(ctxOn('master')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isHotstandbyError(error)).toBe(true);
    const e = error as Exclude<typeof error, undefined> & { code: string; message: string; where: Record<string, unknown>; cause: unknown };
    expect(e.code).toBe('PLUGIN_FAILED');
    expect(e.message).toBe(`step boom (${boom.origin}) failed in plan on master: cannot read x of undefined`);
    expect(e.where).toEqual({ step: 'boom', node: 'master', plugin: boom.origin });
    expect(e.cause).toBeInstanceOf(TypeError);
  });

  it('call a cluster step\'s node "cluster", and keep a HotstandbyError\'s own code and message', async () => {
    const { HotstandbyError } = await import('../../src/errors/hotstandby-error.js');
    const check = mine('check', {
      scope: 'cluster',
      after: ['verify'],
      preflight: async () => {
        throw new HotstandbyError('VERIFY_FAILED', 'replica lag too high', { fix: 'wait' });
      },
    });
    const guarded = resolvePipeline(spec(), [...BUILTINS, check]).steps.find((s) => s.plugin.name === 'check')!;
    const error = await guarded.plugin.preflight!(ctxOn('master')).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'VERIFY_FAILED', message: 'replica lag too high', where: { step: 'check', node: 'cluster', plugin: check.origin } });
  });

  it('wrap a synchronous throw from bootstrapSettings too', () => {
    const bad = mine('bad', {
      before: ['base-backup'],
      bootstrapSettings: () => {
        throw new Error('no');
      },
    });
    const guarded = resolvePipeline(spec(), [...BUILTINS, bad]).steps.find((s) => s.plugin.name === 'bad')!;
    const error = hotstandbyErrorFrom(() => guarded.plugin.bootstrapSettings!(ctxOn('master')), 'PLUGIN_FAILED');
    expect(error.message).toContain('failed in bootstrapSettings on master: no');
  });

  it('wrap a rejection from an async bootstrapSettings the same way', async () => {
    const bad = mine('bad', {
      before: ['base-backup'],
      bootstrapSettings: async () => {
        throw new Error('no');
      },
    });
    const guarded = resolvePipeline(spec(), [...BUILTINS, bad]).steps.find((s) => s.plugin.name === 'bad')!;
    const error = await Promise.resolve(guarded.plugin.bootstrapSettings!(ctxOn('master'))).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PLUGIN_FAILED' });
    expect((error as Error).message).toContain('failed in bootstrapSettings on master: no');
  });
});
