import { maskSecrets } from '../secrets/secret-registry.js';
import type { PipelineEvent, PipelineObserver } from './pipeline-events.js';

// Where the failure of an observer is reported (a process warning unless the caller says otherwise).
export type ObserverFailureReport = (label: string, error: unknown) => void;

// One named observer: the library caller's, or a plugin's observe hook.
export interface LabelledObserver {
  label: string;
  observe: PipelineObserver;
}

const warnOnce = new WeakSet<object>();

// Combine observers into one that cannot affect the run: each gets a frozen copy of the event, and one that
// throws or rejects is reported (once) and otherwise ignored, so the run goes on.
export function safeObserver(observers: readonly (LabelledObserver | undefined)[], report: ObserverFailureReport = warnObserverFailure): PipelineObserver {
  const active = observers.filter((o): o is LabelledObserver => o !== undefined);
  return (event: Readonly<PipelineEvent>) => {
    for (const { label, observe } of active) {
      const failed = (error: unknown) => {
        if (warnOnce.has(observe)) return;
        warnOnce.add(observe);
        report(label, error);
      };
      try {
        // An async observer's rejection is caught too (it would otherwise end the process as unhandled).
        const result: unknown = observe(Object.freeze({ ...event }));
        if (result instanceof Promise) result.then(undefined, failed);
      } catch (error) {
        failed(error);
      }
    }
  };
}

function warnObserverFailure(label: string, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  process.emitWarning(maskSecrets(`the observer of ${label} threw; the run goes on (later failures of it are not reported): ${message}`), { code: 'HOTSTANDBY_OBSERVER' });
}
