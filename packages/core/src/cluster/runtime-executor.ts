import { Executor } from '../executor/executor.js';
import type { ClusterRuntime } from './cluster-runtime.js';

// The executor that applies a command's plan to this runtime's nodes, interruptible by the signal.
export function executorOf(rt: ClusterRuntime, options: { signal?: AbortSignal } = {}): Executor {
  return new Executor({
    node: (name) => rt.node(name),
    serverUser: rt.serverUser,
    state: rt.store,
    layout: rt.layout,
    progress: () => undefined,
    signal: options.signal,
  });
}
