import path from 'node:path';
import { NODE_NAME_PATTERN } from '../config/config-schema.js';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import { findFreePort, isPortFree } from '../postgres/ports.js';
import type { AddedStandby } from '../state/cluster-state.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import { changeTopology } from './topology-change.js';

// What `add-standby` asks for (paths already absolute).
export interface AddStandbyRequest {
  name: string;
  port?: number;
  dataDir?: string;
  upstream?: string;
  synchronous?: boolean;
  applyDelay?: string;
}

// Record a new standby in the topology (the caller then runs the pipeline, which builds and starts it).
export async function recordAddedStandby(rt: ClusterRuntime, request: AddStandbyRequest): Promise<AddedStandby> {
  const known = [rt.spec.primary, ...rt.spec.standbys, ...(rt.spec.detached ?? [])];
  if (!NODE_NAME_PATTERN.test(request.name)) {
    throw new HotstandbyError('CONFIG_INVALID', `"${request.name}" is not a valid node name`, { fix: 'start with a lower-case letter and use only a-z, 0-9, _ and - (at most 40 characters)' });
  }
  if (known.some((n) => n.name === request.name)) {
    throw new HotstandbyError('CONFIG_CONFLICT', `there is already a node named ${request.name}`, { fix: 'choose another name' });
  }
  const upstream = request.upstream ?? rt.primary.name;
  if (!known.some((n) => n.name === upstream) || rt.spec.detached?.some((n) => n.name === upstream)) {
    throw new HotstandbyError('TOPOLOGY_CONFLICT', `--upstream ${upstream} is not a running part of this cluster`, { fix: `name the primary (${rt.primary.name}) or a standby` });
  }
  const taken = new Set(known.map((n) => rt.node(n.name).port));
  let port = request.port;
  if (port !== undefined && (taken.has(port) || !(await isPortFree(port)))) {
    throw new HotstandbyError('PORT_IN_USE', `port ${port} for ${request.name} is already in use`, { fix: 'choose a free port with --port, or leave --port out to get one' });
  }
  port ??= await findFreePort(Math.max(...taken) + 1, taken);
  const added: AddedStandby = {
    name: request.name,
    port,
    dataDir: request.dataDir ?? path.join(rt.layout.dataRoot, request.name),
    // Only an upstream asked for is remembered: without one the standby follows whichever node is primary.
    upstream: request.upstream,
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
  const spec = rt.spec.standbys.find((s) => s.name === name);
  if (!spec) {
    throw new HotstandbyError('TOPOLOGY_CONFLICT', `${name} is not a standby of this cluster`, {
      where: { node: name },
      fix: `standbys: ${rt.spec.standbys.map((s) => s.name).join(', ') || '(none)'}`,
    });
  }
  const children = rt.spec.standbys.filter((s) => s.upstream === name).map((s) => s.name);
  if (children.length > 0) {
    throw new HotstandbyError('TOPOLOGY_CONFLICT', `${children.join(', ')} stream${children.length === 1 ? 's' : ''} from ${name}`, {
      where: { node: name },
      fix: `remove ${children.join(', ')} first, or give ${children.length === 1 ? 'it' : 'them'} another upstream in the config`,
    });
  }
  await changeTopology(rt.store, (t) => {
    const wasAdded = (t.added ?? []).some((a) => a.name === name);
    t.added = (t.added ?? []).filter((a) => a.name !== name);
    if (!wasAdded) t.removed = [...new Set([...(t.removed ?? []), name])];
    if (t.upstreams) delete t.upstreams[name];
  });
}
