import { HotstandbyError, isHotstandbyError } from '../errors/hotstandby-error.js';
import { describeWork, planChangesSomething } from '../plugin/plan-effects.js';
import type { StepContext } from '../plugin/step-context.js';
import type { PlanStep } from '../executor/operation-plan.js';
import type { PipelineObserver } from './pipeline-events.js';
import type { PipelineStep, StepRecord } from './pipeline-step.js';
import { timed } from '../util/timings.js';

// How a dry run hands on each step's plan: to planned; with lenient, a step that cannot be planned from the servers
// as they are now (planning what a failover's last step will find) says why instead of failing the run.
export interface StepPlanning {
  planned(step: PlanStep): Promise<void>;
  lenient?: boolean;
}

// Plan one step on one node and apply the plan (or, for --dry-run, only plan it and hand the plan on);
// errors name plugin, step and node.
export async function runStep(step: PipelineStep, given: StepContext<any>, observe: PipelineObserver, planning?: StepPlanning): Promise<StepRecord> {
  const planned = planning?.planned;
  const name = step.plugin.name;
  const node = stepNodeLabel(step, given.node.name);
  // Every action the step applies is announced to observers just before it runs.
  const ctx: StepContext<any> = {
    ...given,
    run: async (actions) => {
      for (const action of actions) {
        observe({ type: 'action', step: name, node, kind: action.kind, summary: action.summary, at: new Date().toISOString() });
        await timed(`action ${node} ${name} ${action.kind}: ${action.summary}`, () => given.run([action]));
      }
    },
  };
  const started = Date.now();
  observe({ type: 'step:start', step: name, node, at: new Date().toISOString() });
  try {
    let plan;
    try {
      plan = await timed(`plan ${name} ${node}`, () => step.plugin.plan(ctx));
    } catch (error) {
      // A dry run cannot inspect a server that only starts in the real run; say so instead of failing.
      // Only when a server the step talks to is really not running yet; a running one that refuses is an error.
      if (planned && isHotstandbyError(error) && error.code === 'CONNECTION_FAILED' && (await someNodeNotRunning(ctx))) {
        await planned({ title: `${name} · ${node}`, actions: [], described: [`cannot plan yet: ${error.message}; the real run starts it first`] });
        return { step: name, node, changed: true, summary: 'not planned', durationMs: Date.now() - started };
      }
      if (planned && planning.lenient && isHotstandbyError(error)) {
        await planned({ title: `${name} · ${node}`, actions: [], described: [`cannot be planned yet: ${error.message}`] });
        return { step: name, node, changed: true, summary: 'not planned', durationMs: Date.now() - started };
      }
      throw error;
    }
    const changed = planChangesSomething(plan);
    if (planned) {
      await planned({
        title: `${name} · ${node}`,
        actions: plan.actions,
        notes: plan.notes,
        described: (plan.described ?? []).flatMap(describeWork),
        ...(plan.check ? { check: plan.check } : {}),
        ...(plan.ifFails ? { ifFails: plan.ifFails } : {}),
      });
      return { step: name, node, changed, summary: changed ? 'planned' : 'already in place', durationMs: Date.now() - started };
    }
    for (const note of plan.notes ?? []) ctx.log.info(note);
    let summary: string;
    let data: unknown;
    if (step.plugin.apply) {
      const result = await timed(`apply ${name} ${node}`, () => step.plugin.apply!(ctx, plan));
      summary = result?.summary ?? defaultSummary(plan.actions.length, changed);
      data = result?.data;
    } else {
      await ctx.run(plan.actions);
      summary = defaultSummary(plan.actions.length, changed);
    }
    const durationMs = Date.now() - started;
    observe({ type: 'step:done', step: name, node, changed, summary, durationMs, at: new Date().toISOString() });
    return { step: name, node, changed, summary, data, durationMs };
  } catch (error) {
    const wrapped = wrapStepError(error, step, node);
    observe({ type: 'step:fail', step: name, node, error: wrapped.message, durationMs: Date.now() - started, at: new Date().toISOString() });
    throw wrapped;
  }
}

async function someNodeNotRunning(ctx: StepContext<any>): Promise<boolean> {
  for (const node of [ctx.primary, ctx.node, ctx.upstream]) if (node && !(await node.isRunning())) return true;
  return false;
}

function defaultSummary(count: number, changed: boolean): string {
  if (!changed) return count === 0 ? 'already in place' : 'checked';
  return `${count} change${count === 1 ? '' : 's'} applied`;
}

// A step's failure as a HotstandbyError that says which plugin, step and node it came from.
export function wrapStepError(error: unknown, step: PipelineStep, node: string): HotstandbyError {
  const where = { step: step.plugin.name, node, plugin: step.origin };
  if (isHotstandbyError(error)) return error.within(where);
  const message = error instanceof Error ? error.message : String(error);
  return new HotstandbyError('PLUGIN_FAILED', `step ${step.plugin.name} (${step.origin}) failed on ${node}: ${message}`, {
    where,
    fix: 'this is an error inside the plugin; its stack trace is shown with --verbose',
    cause: error,
  });
}

// How a step's node is named in titles and events: the node, or "cluster" for cluster-wide steps.
export function stepNodeLabel(step: PipelineStep, node: string): string {
  return step.plugin.scope === 'cluster' ? 'cluster' : node;
}
