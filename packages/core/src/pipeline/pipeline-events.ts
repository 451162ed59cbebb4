import type { Action } from '../executor/action.js';

// What a run reports to observers (the CLI's --json output, plugin authors' hooks); observers cannot change the run.
export type PipelineEvent =
  | { type: 'step:start'; step: string; node: string; at: string }
  | { type: 'step:done'; step: string; node: string; changed: boolean; summary: string; durationMs: number; at: string }
  | { type: 'step:fail'; step: string; node: string; error: string; durationMs: number; at: string }
  // An action a step is about to apply (dry runs apply none).
  | { type: 'action'; step: string; node: string; kind: Action['kind']; summary: string; at: string }
  | { type: 'notice'; message: string; at: string };

// A function that receives events (frozen copies: it can watch the run, not change it).
export type PipelineObserver = (event: Readonly<PipelineEvent>) => void;
