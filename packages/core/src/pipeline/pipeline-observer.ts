import type { PipelineObserver } from './pipeline-events.js';
import type { PipelineStep } from './pipeline-step.js';
import { safeObserver } from './safe-observer.js';

// The observer of a run: the caller's and every step plugin's observe hook, each seeing frozen copies and
// none able to break the run.
export function pipelineObserver(caller: PipelineObserver | undefined, steps: readonly PipelineStep[]): PipelineObserver {
  return safeObserver([
    caller && { label: 'the caller', observe: caller },
    ...steps.map((s) => (s.plugin.observe ? { label: `plugin ${s.origin} (step ${s.plugin.name})`, observe: s.plugin.observe.bind(s.plugin) } : undefined)),
  ]);
}
