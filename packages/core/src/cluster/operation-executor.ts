import { Executor } from '../executor/executor.js';
import type { ClusterRuntime } from './cluster-runtime.js';

// The executor a lifecycle command applies its plan with: effects on this runtime's nodes, journaled in its
// state; each action's summary goes to the command's progress lines.
export function operationExecutor(rt: ClusterRuntime, progress: (line: string) => void = () => undefined, signal?: AbortSignal): Executor {
  return new Executor({ node: (n) => rt.node(n), serverUser: rt.serverUser, state: rt.store, layout: rt.layout, progress, signal });
}
