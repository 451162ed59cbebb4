import type { PgNode } from '../postgres/pg-node.js';
import type { StepContext } from '../plugin/step-context.js';
import type { PipelineObserver } from './pipeline-events.js';
import { pipelineObserver } from './pipeline-observer.js';
import type { PipelineStep } from './pipeline-step.js';
import { stepNodeLabel } from './run-step.js';

// Every step's preflight on each node it will run on, before anything changes. A preflight that fails is reported
// to the observers as the step's failure, as a failure in plan or apply is.
export async function runPreflights(
  steps: readonly PipelineStep[],
  nodesFor: (step: PipelineStep) => readonly PgNode[],
  contextFor: (step: PipelineStep, node: PgNode) => StepContext<any>,
  caller?: PipelineObserver,
): Promise<void> {
  const observe = pipelineObserver(caller, steps);
  for (const step of steps) {
    if (!step.plugin.preflight) continue;
    for (const node of nodesFor(step)) {
      const started = Date.now();
      try {
        await step.plugin.preflight(contextFor(step, node));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        observe({
          type: 'step:fail',
          step: step.plugin.name,
          node: stepNodeLabel(step, node.name),
          error: message,
          durationMs: Date.now() - started,
          at: new Date().toISOString(),
        });
        throw error;
      }
    }
  }
}
