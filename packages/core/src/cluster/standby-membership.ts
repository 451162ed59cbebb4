import type { ClusterSpec } from '../config/cluster-spec.js';
import type { AddedStandby } from '../state/cluster-state.js';
import { checkAddStandbyRequest, type AddStandbyRequest, type CheckedAddStandby } from './add-standby-request.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import { childrenStreamError, notAStandbyError } from './remove-standby-hints.js';
import { changeTopology } from './topology-change.js';

export type { AddStandbyRequest } from './add-standby-request.js';

// Record a new standby in the topology (the caller then runs the pipeline, which builds and starts it).
// A request that does not fit the cluster is refused first, in the words of the command's options.
export async function recordAddedStandby(rt: ClusterRuntime, request: AddStandbyRequest): Promise<AddedStandby> {
  const { port, dataDir } = await checkAddStandbyRequest(rt, request);
  const added: AddedStandby = {
    name: request.name,
    port,
    dataDir,
    // Only an upstream other than the primary is remembered: without one (or naming the primary) the standby
    // follows whichever node is primary, also after a switchover (a synchronous one must stream from it).
    upstream: request.upstream === rt.primary.name ? undefined : request.upstream,
    synchronous: request.synchronous,
    applyDelay: request.applyDelay,
  };
  await changeTopology(rt.store, (t) => {
    t.added = [...(t.added ?? []), added];
    t.removed = (t.removed ?? []).filter((n) => n !== request.name);
  });
  return added;
}

// Forget a standby added by mistake (when the pipeline refused it before changing anything).
export async function forgetAddedStandby(rt: ClusterRuntime, name: string): Promise<void> {
  await changeTopology(rt.store, (t) => {
    t.added = (t.added ?? []).filter((a) => a.name !== name);
  });
}

// Take a standby out of the topology: an added one is forgotten, one from the config is marked removed.
// Refused while other standbys stream from it.
export async function recordRemovedStandby(rt: ClusterRuntime, name: string): Promise<void> {
  checkRemovableStandby(rt, name);
  await changeTopology(rt.store, (t) => {
    const wasAdded = (t.added ?? []).some((a) => a.name === name);
    t.added = (t.added ?? []).filter((a) => a.name !== name);
    if (!wasAdded) t.removed = [...new Set([...(t.removed ?? []), name])];
    if (t.upstreams) delete t.upstreams[name];
  });
}

// Refuse to remove a node that is not a standby, or one other standbys stream from (before anything changes).
export function checkRemovableStandby(rt: ClusterRuntime, name: string): void {
  const spec = rt.spec.standbys.find((s) => s.name === name);
  if (!spec) throw notAStandbyError(rt, name);
  const children = rt.spec.standbys.filter((s) => s.upstream === name).map((s) => s.name);
  if (children.length > 0) throw childrenStreamError(rt, name, children);
}

// The config with a requested standby in it as add-standby would record it (for a dry run, which records nothing).
export function withStandby(spec: ClusterSpec, request: AddStandbyRequest, checked: CheckedAddStandby): ClusterSpec {
  const standby = {
    name: request.name,
    role: 'standby' as const,
    port: checked.port,
    portFixed: true,
    dataDir: checked.dataDir,
    // Like a config standby: naming the config's primary means "whichever node is primary".
    upstream: request.upstream ?? spec.primary.name,
    slot: request.name.replace(/-/g, '_'),
    synchronous: request.synchronous ?? false,
    applyDelay: request.applyDelay,
  };
  return { ...spec, standbys: [...spec.standbys, standby] };
}
