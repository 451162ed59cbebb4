import type { ClusterSpec } from '../config/cluster-spec.js';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import type { Executor } from '../executor/executor.js';
import type { PipelineStep, StepRecord } from '../pipeline/pipeline-step.js';
import { runPipeline } from '../pipeline/run-pipeline.js';
import { runPreflights } from '../pipeline/run-preflights.js';
import { describeWork } from '../plugin/plan-effects.js';
import { SILENT_LOGGER } from '../plugin/silent-logger.js';
import type { ClusterOptions, PlannedStep, StepRunOptions } from './cluster-options.js';
import { ClusterRuntime } from './cluster-runtime.js';
import { planStateDir } from './prepare-state-dir.js';
import { resolveSteps } from './resolve-steps.js';
import { standbyWaves } from './standby-waves.js';
import type { StepContextFactory } from './step-context-factory.js';
import { pipelineRig } from './operation-executor.js';

// Run only the named steps (for example ["verify"]) against the cluster as it is.
export async function runSteps(spec: ClusterSpec, clusterOptions: ClusterOptions, names: readonly string[], options: StepRunOptions = {}): Promise<StepRecord[]> {
  return withSteps(spec, clusterOptions, names, options, async ({ rt, steps, contexts, executor }) => {
    if (!(await rt.primary.exists())) {
      throw new HotstandbyError('NOT_CREATED', `the primary ${rt.primary.name} does not exist yet (${rt.primary.dataDir})`, {
        where: { node: rt.primary.name },
        fix: 'run hotstandby up first',
      });
    }
    await runPreflights(
      steps,
      (step) => (step.plugin.scope === 'standby' ? rt.standbys : [rt.primary]),
      (step, node) => contexts.create(step, node, SILENT_LOGGER),
      options.observe,
    );
    if (options.prepareStateDir ?? true) await executor.applyAll((await planStateDir(rt)).actions);
    return runPipeline({
      dryRun: false,
      renderer: options.renderer ?? 'auto',
      observe: options.observe ?? (() => undefined),
      planned: async () => undefined,
      primary: rt.primary,
      standbyWaves: standbyWaves(rt),
      contextFor: (step, node, log) => contexts.create(step, node, log),
      steps,
      phases: [],
    });
  });
}

// What the named steps would do now, without doing it: actions, notes and their printable form.
export async function planSteps(spec: ClusterSpec, clusterOptions: ClusterOptions, names: readonly string[], options: StepRunOptions = {}): Promise<PlannedStep[]> {
  return withSteps(spec, clusterOptions, names, options, async ({ rt, steps, contexts, executor }) => {
    const out: PlannedStep[] = [];
    for (const step of steps) {
      for (const node of step.plugin.scope === 'standby' ? standbyWaves(rt).flat() : [rt.primary]) {
        const plan = await step.plugin.plan(contexts.create(step, node, SILENT_LOGGER));
        const lines = [...(plan.described ?? []).flatMap(describeWork), ...(await Promise.all(plan.actions.map((a) => executor.describe(a)))).flat()];
        out.push({ step: step.plugin.name, node: node.name, actions: plan.actions, notes: plan.notes ?? [], described: plan.described ?? [], lines });
      }
    }
    return out;
  });
}

async function withSteps<T>(
  spec: ClusterSpec,
  clusterOptions: ClusterOptions,
  names: readonly string[],
  options: StepRunOptions,
  fn: (env: { rt: ClusterRuntime; steps: PipelineStep[]; contexts: StepContextFactory; executor: Executor }) => Promise<T>,
): Promise<T> {
  const all = resolveSteps(spec, clusterOptions.plugins, clusterOptions.pipeline);
  const steps = names.map((name) => {
    const step = all.find((s) => s.plugin.name === name);
    if (!step) {
      const source = spec.source.path ?? 'the config';
      if (spec.disable?.includes(name)) {
        throw new HotstandbyError('PLUGIN_INVALID', `the step "${name}" is disabled in ${source}`, {
          where: { key: 'disable', file: spec.source.path },
          fix: `take "${name}" out of "disable" to run it`,
        });
      }
      if (clusterOptions.pipeline && !clusterOptions.pipeline.includes(name)) {
        throw new HotstandbyError('PLUGIN_INVALID', `the step "${name}" is not in the pipeline of ${source}`, {
          where: { key: 'pipeline', file: spec.source.path },
          fix: `add "${name}" to "pipeline" to run it`,
        });
      }
      throw new HotstandbyError('PLUGIN_INVALID', `there is no step "${name}" in the pipeline`, { fix: `steps: ${all.map((s) => s.plugin.name).join(', ')}` });
    }
    return step;
  });
  const rt = await ClusterRuntime.open(spec, { purpose: 'inspect', onDownloadProgress: clusterOptions.onDownloadProgress, unlisted: options.unlisted });
  try {
    return await fn({ rt, steps, ...pipelineRig(rt, { dryRun: false, allowRestart: options.allowRestart ?? false, signal: options.signal }) });
  } finally {
    await rt.close();
  }
}
