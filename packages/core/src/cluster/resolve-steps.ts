import type { ClusterSpec } from '../config/cluster-spec.js';
import { formatConfigIssues } from '../config/format-config-issues.js';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import { orderPipeline } from '../plugin/order-pipeline.js';
import type { StepPlugin } from '../plugin/step-plugin.js';
import type { PipelineStep } from '../pipeline/pipeline-step.js';

// A plugin as loaded, with where it came from ("@hotstandby/plugin-verify 0.1.0", "./steps/seed.ts").
export interface LoadedPlugin {
  plugin: StepPlugin<any>;
  origin: string;
}

// The built-in recipe, in order.
export const DEFAULT_PIPELINE = ['user-creation', 'hba-config', 'wal-config', 'base-backup', 'recovery-config', 'verify'] as const;

// Order the plugins into the pipeline and validate every step's options from the config.
export function resolveSteps(spec: ClusterSpec, plugins: readonly LoadedPlugin[], explicit?: readonly string[]): PipelineStep[] {
  const ordered = orderPipeline(
    plugins.map((p) => ({ name: p.plugin.name, origin: p.origin, before: p.plugin.before, after: p.plugin.after, loaded: p })),
    explicit,
    DEFAULT_PIPELINE,
  );
  const known = new Set(plugins.map((p) => p.plugin.name));
  for (const name of Object.keys(spec.steps)) {
    if (!known.has(name)) {
      throw new HotstandbyError('CONFIG_INVALID', `invalid config in ${spec.source.path ?? 'the config'}: steps.${name}: there is no step called "${name}"`, {
        where: { key: `steps.${name}`, file: spec.source.path },
        fix: `known steps: ${[...known].join(', ')}`,
      });
    }
  }
  return ordered.map(({ loaded }) => ({ plugin: loaded.plugin, origin: loaded.origin, options: validateOptions(spec, loaded) }));
}

function validateOptions(spec: ClusterSpec, loaded: LoadedPlugin): unknown {
  const raw = spec.steps[loaded.plugin.name] ?? {};
  const schema = loaded.plugin.options;
  if (!schema) return raw;
  const parsed = schema.safeParse(raw, { reportInput: true });
  if (parsed.success) return parsed.data;
  const lines = formatConfigIssues(parsed.error.issues, schema).map((l) => `steps.${loaded.plugin.name}.${l}`.replace(/\.\(top level\)/, ''));
  throw new HotstandbyError('CONFIG_INVALID', `invalid config in ${spec.source.path ?? 'the config'}: ${lines[0]}`, {
    where: { key: `steps.${loaded.plugin.name}`, file: spec.source.path, plugin: loaded.origin },
    detail: lines.slice(1).join('\n') || undefined,
    fix: `see the options of the ${loaded.plugin.name} step in its README`,
  });
}
