import { Listr, type ListrTask } from 'listr2';
import type { HotstandbyError } from '../errors/hotstandby-error.js';
import type { PlanStep } from '../executor/operation-plan.js';
import type { PgNode } from '../postgres/pg-node.js';
import { SILENT_LOGGER } from '../plugin/silent-logger.js';
import type { StepContext, StepLogger } from '../plugin/step-context.js';
import { maskSecrets } from '../secrets/secret-registry.js';
import type { PipelineObserver } from './pipeline-events.js';
import type { PipelineStep, StepRecord } from './pipeline-step.js';
import { pipelineObserver } from './pipeline-observer.js';
import { runStep, stepNodeLabel } from './run-step.js';

// How progress is shown: a live task list on a terminal (plain lines otherwise), plain lines always, or nothing.
export type RendererChoice = 'auto' | 'plain' | 'silent';

// Work core does before the steps (preparing directories, creating or starting the primary).
export interface PipelinePhase {
  title: string;
  // biome-ignore lint/suspicious/noConfusingVoidType: a step may return nothing; plugin authors write plain async functions
  run(log: StepLogger, planned?: (step: PlanStep) => Promise<void>): Promise<string | void>;
}

// Everything the pipeline needs.
export interface RunPipelineOptions {
  phases: PipelinePhase[];
  steps: PipelineStep[];
  primary: PgNode;
  // Standbys in waves: every standby of a wave streams from the primary or an earlier wave, so each wave's
  // standbys are built concurrently once the one before is running (cascading).
  standbyWaves: readonly (readonly PgNode[])[];
  contextFor(step: PipelineStep, node: PgNode, log: StepLogger): StepContext<any>;
  renderer: RendererChoice;
  observe: PipelineObserver;
  dryRun: boolean;
  // With dryRun: told each phase's and each step's plan, in order (nothing is applied).
  planned(step: PlanStep): Promise<void>;
  // With dryRun: a step that cannot be planned from the servers as they are now says why instead of failing.
  lenient?: boolean;
}

// Run phases and steps in order; consecutive standby steps run per standby, all standbys concurrently.
// This module is the only one that knows listr2.
export async function runPipeline(runOptions: RunPipelineOptions): Promise<StepRecord[]> {
  // Observers (the caller's and every plugin's observe hook) see frozen copies and cannot break the run.
  const observe = pipelineObserver(runOptions.observe, runOptions.steps);
  const options: RunPipelineOptions = { ...runOptions, observe };
  const records: StepRecord[] = [];
  if (options.dryRun) {
    for (const phase of options.phases) await phase.run(SILENT_LOGGER, options.planned);
    for (const group of groupSteps(options.steps)) {
      const nodes = group.scope === 'standby' ? options.standbyWaves.flat() : [options.primary];
      for (const node of nodes) {
        for (const step of group.steps)
          records.push(await runStep(step, options.contextFor(step, node, SILENT_LOGGER), options.observe, { planned: options.planned, lenient: options.lenient }));
      }
    }
    return records;
  }

  const tasks: ListrTask[] = options.phases.map((phase) => ({
    title: phase.title,
    task: async (_ctx, task) => {
      const summary = await phase.run(taskLog((line) => (task.output = line)));
      if (summary) task.title = `${phase.title}: ${summary}`;
    },
  }));
  for (const group of groupSteps(options.steps)) {
    if (group.scope !== 'standby') {
      const step = group.steps[0]!;
      tasks.push(stepTask(step, options.primary, options, records));
      continue;
    }
    for (const wave of options.standbyWaves) {
      if (wave.length === 0) continue;
      tasks.push({
        title: `${group.steps.map((s) => s.plugin.name).join(', ')} · ${wave.map((s) => s.name).join(', ')}`,
        task: async (_ctx, task) => {
          const failures: HotstandbyError[] = [];
          const perStandby = wave.map<ListrTask>((standby) => ({
            title: standby.name,
            task: (_c, sub) =>
              sub.newListr(
                group.steps.map((step) => stepTask(step, standby, options, records, failures)),
                { concurrent: false, exitOnError: true },
              ),
          }));
          await task.newListr(perStandby, { concurrent: true, exitOnError: false }).run();
          if (failures.length > 0) throw failures[0]!;
        },
      });
    }
  }
  const listr = new Listr(tasks, {
    concurrent: false,
    exitOnError: true,
    registerSignalListeners: false,
    renderer: options.renderer === 'silent' ? 'silent' : options.renderer === 'plain' ? 'simple' : 'default',
    fallbackRenderer: options.renderer === 'silent' ? 'silent' : 'simple',
    rendererOptions: { collapseSubtasks: false, showErrorMessage: false },
    fallbackRendererOptions: {},
  });
  await listr.run();
  return records;
}

function stepTask(step: PipelineStep, node: PgNode, options: RunPipelineOptions, records: StepRecord[], failures?: HotstandbyError[]): ListrTask {
  const title = `${step.plugin.name} · ${stepNodeLabel(step, node.name)}`;
  return {
    title,
    rendererOptions: { persistentOutput: true, outputBar: Infinity },
    task: async (_ctx, task) => {
      try {
        const record = await runStep(
          step,
          options.contextFor(
            step,
            node,
            taskLog((line) => (task.output = line)),
          ),
          options.observe,
        );
        records.push(record);
        task.title = `${title}: ${record.summary}`;
      } catch (error) {
        failures?.push(error as HotstandbyError);
        throw error;
      }
    },
  };
}

interface StepGroup {
  scope: 'primary' | 'standby' | 'cluster';
  steps: PipelineStep[];
}

// Consecutive standby steps form one group (run per standby); every other step is its own group.
export function groupSteps(steps: readonly PipelineStep[]): StepGroup[] {
  const groups: StepGroup[] = [];
  for (const step of steps) {
    const last = groups[groups.length - 1];
    if (step.plugin.scope === 'standby' && last?.scope === 'standby') last.steps.push(step);
    else groups.push({ scope: step.plugin.scope, steps: [step] });
  }
  return groups;
}

function taskLog(write: (line: string) => void): StepLogger {
  return {
    info: (m) => write(maskSecrets(m)),
    warn: (m) => write(maskSecrets(`warning: ${m}`)),
    debug: (m) => {
      if (process.env.HOTSTANDBY_DEBUG) write(maskSecrets(m));
    },
  };
}
