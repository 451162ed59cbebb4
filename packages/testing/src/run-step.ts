import { Cluster, type LoadedPlugin, type PipelineEvent, type PlannedStep, type StepPlugin, type StepRecord } from '@hotstandby/core';
import type { TestCluster } from './test-cluster.js';

// How to run one step.
export interface RunStepOptions {
  // The step's options, as "steps.<name>" in a config gives them (validated by the plugin's schema).
  options?: Record<string, unknown>;
  allowRestart?: boolean;
}

// What one step planned (before it ran) and did, on every node it ran on.
export interface StepRun {
  // The plan on the first node: the primary for primary and cluster steps, the first standby for standby steps.
  plan: PlannedStep;
  plans: PlannedStep[];
  // What it did there: changed, summary, data, durationMs.
  record: StepRecord;
  records: StepRecord[];
  // The events of the run (step:start, step:done ...), as an observer sees them.
  events: PipelineEvent[];
}

// Plan ONE step against the test cluster as it is now, and apply it, the way `up` does: preflight, plan, apply.
// Only this step runs, whatever its before/after say; the test cluster's own plugins are not involved.
export async function runStep(tc: TestCluster, plugin: StepPlugin<any>, options: RunStepOptions = {}): Promise<StepRun> {
  const cluster = clusterFor(tc, plugin, options);
  const plans = await cluster.planSteps([plugin.name], { allowRestart: options.allowRestart });
  const events: PipelineEvent[] = [];
  const records = await cluster.runSteps([plugin.name], { renderer: 'silent', allowRestart: options.allowRestart, observe: (e) => void events.push(e) });
  return { plan: first(plans, plugin), plans, record: first(records, plugin), records, events };
}

// Only plan ONE step (what --dry-run would print for it): nothing is applied.
export async function planStep(tc: TestCluster, plugin: StepPlugin<any>, options: RunStepOptions = {}): Promise<{ plan: PlannedStep; plans: PlannedStep[] }> {
  const plans = await clusterFor(tc, plugin, options).planSteps([plugin.name], { allowRestart: options.allowRestart });
  return { plan: first(plans, plugin), plans };
}

function clusterFor(tc: TestCluster, plugin: StepPlugin<any>, options: RunStepOptions): Cluster {
  const loaded: LoadedPlugin = { plugin, origin: `${plugin.name} (under test)` };
  const spec = { ...tc.spec, steps: { [plugin.name]: options.options ?? tc.spec.steps[plugin.name] ?? {} }, plugins: [], pipeline: undefined, disable: undefined };
  return new Cluster(spec, { plugins: [loaded], pipeline: [plugin.name] });
}

function first<T>(items: readonly T[], plugin: StepPlugin<any>): T {
  if (items.length === 0) throw new Error(`step ${plugin.name} (scope ${plugin.scope}) ran on no node: a standby step needs standbys (createTestCluster, then tc.up())`);
  return items[0]!;
}
