import type { ClusterSpec } from '../config/cluster-spec.js';
import { HotstandbyError, isHotstandbyError } from '../errors/hotstandby-error.js';
import { guardPlugin } from '../plugin/guard-plugin.js';
import { orderPipeline } from '../plugin/order-pipeline.js';
import type { StepPlugin, StepScope } from '../plugin/step-plugin.js';
import type { PipelineStep } from '../pipeline/pipeline-step.js';
import { stepOptions } from './step-options.js';
import { duplicateStep, invalidConfig, unknownPipelineStep } from '../errors/error-factories.js';

// A plugin as loaded, with where it came from ("@hotstandby/plugin-verify@0.1.0 (built-in)", "/proj/steps/seed.ts").
export interface LoadedPlugin {
  plugin: StepPlugin<any>;
  origin: string;
  // One of the built-in recipe steps: a plugin of the same name from the config replaces it.
  builtin?: boolean;
  // Options written next to the plugin in the config (["pkg", { ... }]); "steps.<name>" wins key by key.
  options?: Record<string, unknown>;
  // Where the config lists it ("plugins[1]"), for messages.
  configKey?: string;
}

// The built-in recipe, in order.
export const DEFAULT_PIPELINE = ['user-creation', 'hba-config', 'wal-config', 'base-backup', 'recovery-config', 'verify'] as const;

// How a step got its place: listed in the config's pipeline, the built-in order, its own before/after, or
// appended at the end (no pipeline given and no before/after).
export type StepPlacement = 'pipeline' | 'default' | 'before/after' | 'appended';

// A step of the resolved pipeline (its hooks wrapped so that errors name plugin, step and node).
export interface ResolvedStep extends PipelineStep {
  builtin: boolean;
  placement: StepPlacement;
  // The built-in step this one replaces (its origin).
  replaces?: string;
}

// A step that is known but does not run, and why: listed in "disable", or left out of an explicit "pipeline".
export interface DisabledStep {
  name: string;
  origin: string;
  scope: StepScope;
  reason: 'disable' | 'not in pipeline';
}

// The pipeline a run uses, with what was replaced and what is left out (shown by `hotstandby plugins`).
export interface ResolvedPipeline {
  steps: ResolvedStep[];
  replaced: { name: string; builtin: string; by: string }[];
  disabled: DisabledStep[];
}

// Order the plugins into the pipeline and validate every step's options from the config.
export function resolveSteps(spec: ClusterSpec, plugins: readonly LoadedPlugin[], explicit?: readonly string[]): PipelineStep[] {
  return resolvePipeline(spec, plugins, explicit).steps;
}

// The whole resolution: config plugins replace built-ins of the same name, "disable" and the "pipeline" list
// leave steps out, the rest is ordered (before/after for steps nobody placed) and each step's options validated.
export function resolvePipeline(spec: ClusterSpec, plugins: readonly LoadedPlugin[], explicitOrder?: readonly string[]): ResolvedPipeline {
  const { byName, replaced } = mergePlugins(spec, plugins);
  const known = [...byName.keys()];
  const explicit = explicitOrder ?? spec.pipeline;
  const disabled = new Set(spec.disable ?? []);
  for (const name of disabled) {
    if (!byName.has(name)) {
      throw invalidConfig(spec.source, `disable: there is no step called "${name}"`, { key: 'disable', fix: `known steps: ${known.join(', ')}` });
    }
    if (explicit?.includes(name)) {
      throw invalidConfig(spec.source, `the step "${name}" is both in the pipeline and in "disable"`, {
        code: 'CONFIG_CONFLICT',
        key: 'disable',
        fix: `remove "${name}" from one of them`,
      });
    }
  }
  for (const name of Object.keys(spec.steps)) {
    if (!byName.has(name)) {
      throw invalidConfig(spec.source, `steps.${name}: there is no step called "${name}"`, { key: `steps.${name}`, fix: `known steps: ${known.join(', ')}` });
    }
  }

  const unknown = explicit?.find((name) => !byName.has(name));
  if (unknown !== undefined) {
    throw unknownPipelineStep(unknown, known, { where: { key: 'pipeline', file: spec.source.path }, hint: '(a custom step comes from a file or package in "plugins")' });
  }

  const available = [...byName.values()].filter((p) => !disabled.has(p.plugin.name));
  const placedByList = new Set(explicit ?? DEFAULT_PIPELINE.filter((n) => byName.has(n)));
  for (const p of available) {
    const wants = [...(p.plugin.before ?? []), ...(p.plugin.after ?? [])];
    if (placedByList.has(p.plugin.name)) continue;
    refuseUnknownNeighbour(spec, p, byName);
    const turnedOff = wants.find((n) => disabled.has(n));
    if (turnedOff) {
      throw new HotstandbyError('PLUGIN_INVALID', `step "${p.plugin.name}" (${p.origin}) wants to run relative to "${turnedOff}", which "disable" turns off`, {
        where: { plugin: p.origin, key: p.configKey ?? 'disable', file: spec.source.path },
        fix: `keep "${turnedOff}", or place "${p.plugin.name}" yourself in "pipeline" (then its before/after are not used)`,
      });
    }
    if (explicit && !p.builtin && wants.length === 0) {
      throw new HotstandbyError(
        'PLUGIN_INVALID',
        `step "${p.plugin.name}" (${p.origin}) is loaded but has no place: "pipeline" does not list it and the plugin names no before/after`,
        {
          where: { plugin: p.origin, key: p.configKey ?? 'pipeline', file: spec.source.path },
          fix: `add "${p.plugin.name}" to "pipeline" where it should run (or remove it from "plugins")`,
        },
      );
    }
  }

  let ordered;
  try {
    ordered = orderPipeline(
      available.map((p) => ({ name: p.plugin.name, origin: p.origin, before: p.plugin.before, after: p.plugin.after, loaded: p })),
      explicit,
      DEFAULT_PIPELINE,
    );
  } catch (error) {
    // Only a config that has a "pipeline" can be pointed at it.
    throw isHotstandbyError(error) ? error.within({ file: spec.source.path, key: spec.pipeline ? 'pipeline' : undefined }) : error;
  }
  const running = new Set(ordered.map((o) => o.name));
  const off: DisabledStep[] = [...byName.values()]
    .filter((p) => !running.has(p.plugin.name))
    .map((p) => ({ name: p.plugin.name, origin: p.origin, scope: p.plugin.scope, reason: disabled.has(p.plugin.name) ? 'disable' : 'not in pipeline' }));
  const steps = ordered.map(({ loaded }): ResolvedStep => {
    const wants = (loaded.plugin.before?.length ?? 0) + (loaded.plugin.after?.length ?? 0) > 0;
    const placement: StepPlacement = placedByList.has(loaded.plugin.name) ? (explicit ? 'pipeline' : 'default') : wants ? 'before/after' : 'appended';
    return {
      plugin: guardPlugin(loaded.plugin, loaded.origin),
      origin: loaded.origin,
      options: stepOptions(spec, loaded),
      builtin: loaded.builtin === true,
      placement,
      replaces: replaced.find((r) => r.name === loaded.plugin.name)?.builtin,
    };
  });
  return { steps, replaced, disabled: off };
}

// A step whose before/after (used to place it) names a step that no plugin provides: most likely a typo, so
// the message says that and lists the steps there are (not "add it to the pipeline", which cannot be done).
function refuseUnknownNeighbour(spec: ClusterSpec, p: LoadedPlugin, byName: ReadonlyMap<string, LoadedPlugin>): void {
  for (const key of ['before', 'after'] as const) {
    const unknown = (p.plugin[key] ?? []).find((n) => !byName.has(n));
    if (unknown === undefined) continue;
    throw new HotstandbyError('PLUGIN_INVALID', `step "${p.plugin.name}" (${p.origin}) wants to run ${key} "${unknown}", but no step of that name exists (a typo?)`, {
      where: { plugin: p.origin, key: p.configKey, file: spec.source.path },
      fix: `name one of the known steps in its "${key}": ${[...byName.keys()].filter((n) => n !== p.plugin.name).join(', ')} (or place "${p.plugin.name}" yourself in "pipeline", then its before/after are not used)`,
    });
  }
}

// One plugin per step name: a config plugin replaces the built-in of its name (keeping its scope); any other
// clash is refused, naming both origins.
function mergePlugins(spec: ClusterSpec, plugins: readonly LoadedPlugin[]): { byName: Map<string, LoadedPlugin>; replaced: ResolvedPipeline['replaced'] } {
  const byName = new Map<string, LoadedPlugin>();
  const replaced: ResolvedPipeline['replaced'] = [];
  for (const p of plugins) {
    const name = p.plugin.name;
    const other = byName.get(name);
    if (!other) {
      byName.set(name, p);
      continue;
    }
    if (Boolean(other.builtin) === Boolean(p.builtin)) {
      const named = (x: LoadedPlugin) => (x.configKey ? `${x.origin} (${x.configKey})` : x.origin);
      throw duplicateStep(name, named(other), named(p), {
        where: { plugin: p.origin, key: p.configKey ?? other.configKey, file: spec.source.path },
        fix: 'remove one of them from "plugins" (a plugin may replace a built-in step, but not another plugin)',
      });
    }
    const [builtin, mine] = other.builtin ? [other, p] : [p, other];
    if (builtin.plugin.scope !== mine.plugin.scope) {
      throw new HotstandbyError(
        'PLUGIN_INVALID',
        `step "${name}" (${mine.origin}) replaces the built-in step of that name, which runs on ${scopeWords(builtin.plugin.scope)}, but it runs on ${scopeWords(mine.plugin.scope)}`,
        {
          where: { plugin: mine.origin, key: mine.configKey, file: spec.source.path },
          fix: `give it scope "${builtin.plugin.scope}" like the step it replaces, or give it another name (and add "${name}" to "disable" if the built-in must not run)`,
        },
      );
    }
    byName.set(name, mine);
    replaced.push({ name, builtin: builtin.origin, by: mine.origin });
  }
  return { byName, replaced };
}

// A scope in words: "the primary", "each standby", "the cluster".
export function scopeWords(scope: StepScope): string {
  return scope === 'standby' ? 'each standby' : scope === 'primary' ? 'the primary' : 'the cluster';
}
