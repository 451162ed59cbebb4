import { changesSomething, type Action } from '../executor/action.js';
import { applyPlan } from '../executor/apply-plan.js';
import { Executor } from '../executor/executor.js';
import type { OperationPlan } from '../executor/operation-plan.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import { StepContextFactory } from './step-context-factory.js';

// The executor a lifecycle command applies its plan with: effects on this runtime's nodes, journaled in its
// state; each action's summary goes to progress.
export function operationExecutor(rt: ClusterRuntime, progress: (line: string) => void = () => undefined, signal?: AbortSignal): Executor {
  return new Executor({ node: (n) => rt.node(n), serverUser: rt.serverUser, state: rt.store, layout: rt.layout, progress, signal });
}

// What running the pipeline's steps needs: the executor their actions go through and the contexts they see.
export interface PipelineRig {
  executor: Executor;
  contexts: StepContextFactory;
}

// The one place `up` and the step runner get their executor and step contexts from (dryRun: steps plan, nodes
// that do not exist yet are planned as fresh ones).
export function pipelineRig(rt: ClusterRuntime, flags: { dryRun: boolean; allowRestart: boolean; signal?: AbortSignal; plannedWrites?: ReadonlySet<string> }): PipelineRig {
  const signal = flags.signal ?? new AbortController().signal;
  const executor = operationExecutor(rt, undefined, signal);
  return { executor, contexts: new StepContextFactory(rt, executor, { dryRun: flags.dryRun, allowRestart: flags.allowRestart, signal, plannedWrites: flags.plannedWrites }) };
}

// Apply a lifecycle command's plan, telling log what it does to servers and files as it happens (checks, waits,
// tasks that change nothing and records of the tool's own state speak through their own lines, when they find something).
export async function applyOperation(rt: ClusterRuntime, plan: OperationPlan, log: (line: string) => void, signal?: AbortSignal): Promise<void> {
  const said = new Set(plan.steps.flatMap((s) => s.actions.filter(isEffectOnServersOrFiles).map((a) => a.summary)));
  await applyPlan(
    operationExecutor(rt, (line) => said.has(line) && log(line), signal),
    plan,
    () => undefined,
  );
}

function isEffectOnServersOrFiles(action: Action): boolean {
  return changesSomething(action) && action.kind !== 'record';
}
