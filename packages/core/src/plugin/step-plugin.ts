import type { z } from 'zod';
import type { Action } from '../executor/action.js';
import type { PipelineEvent } from '../pipeline/pipeline-events.js';
import type { StepContext } from './step-context.js';

// Which nodes a step runs against: the primary once, every standby (concurrently), or the cluster once.
export type StepScope = 'primary' | 'standby' | 'cluster';

// What a step intends to do: the actions core will apply, plus notes for people. `Parts` is what the step's own
// apply needs from its plan, by name.
export interface StepPlan<Parts = unknown> {
  actions: Action[];
  // Things worth saying even when nothing changes ("role repuser already exists with these attributes").
  notes?: string[];
  // Work that is no action of this plan, described for --dry-run: what the step's apply does by itself (verify's
  // checks), or what happens once a server this run creates exists. Core prints it and never runs it.
  described?: DescribedWork[];
  // For people following the plan by hand (runbooks): what to look at once the step ran, and what to do if it fails.
  check?: string;
  ifFails?: string;
  // What apply needs, by name (the actions it runs itself, in its own order; what plan decided), so apply never
  // picks actions out of the list by position or kind. Core never reads it; absent when there is nothing to use.
  parts?: Parts;
}

// One piece of described work: a line for people, more lines under it, and whether it changes something.
export interface DescribedWork {
  summary: string;
  details?: readonly string[];
  // False for checks that change nothing (verification); true makes the dry run count the step as a change.
  changes: boolean;
}

// What a step reports after it ran (shown in the task list; verify puts its report in data).
export interface StepResult {
  summary?: string;
  data?: unknown;
}

// A pipeline step: data plus plan (and optionally apply). Plugins never touch listr2 or the DI container.
export interface StepPlugin<Options = Record<string, unknown>, Parts = unknown> {
  // Unique step name, also the key of its options in the config's "steps".
  name: string;
  description: string;
  scope: StepScope;
  // Schema of the step's options (config "steps.<name>"); defaults are applied by it.
  options?: z.ZodType<Options>;
  // Where the step goes when the config's pipeline does not place it.
  before?: readonly string[];
  after?: readonly string[];
  // Settings the step needs in place before the primary's first start (saves a restart later); may be async.
  bootstrapSettings?(ctx: StepContext<Options>): Record<string, string> | Promise<Record<string, string>>;
  // For standby steps: whether this standby's base would be a cold copy of a primary the run creates (asked before
  // the primary's first start; `up` takes a copy for each standby a step says yes for). See StepContext.coldCopy.
  takesColdCopy?(ctx: StepContext<Options>): boolean | Promise<boolean>;
  // Refuse bad input before anything in the run changes (missing programs, conflicts, restarts not allowed).
  preflight?(ctx: StepContext<Options>): Promise<void>;
  // Inspect the current state and return what must change; an empty plan means "already in place".
  plan(ctx: StepContext<Options>): Promise<StepPlan<Parts>>;
  // Apply the plan; without it core applies the actions in order.
  // biome-ignore lint/suspicious/noConfusingVoidType: a step may return nothing; plugin authors write plain async functions
  apply?(ctx: StepContext<Options>, plan: StepPlan<Parts>): Promise<StepResult | void>;
  // Watch the whole run (every step's start, end and failure, with timings). Events are frozen copies, so an
  // observer cannot change the run; one that throws (or rejects) is reported as a warning and ignored.
  observe?(event: Readonly<PipelineEvent>): void;
}

// Declare a step plugin with full types (an identity function that keeps the option and plan-part types).
export function definePlugin<Options = Record<string, unknown>, Parts = unknown>(plugin: StepPlugin<Options, Parts>): StepPlugin<Options, Parts> {
  return plugin;
}
