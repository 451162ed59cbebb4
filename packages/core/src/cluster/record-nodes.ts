import { programStamp } from '../postgres/binaries.js';
import type { NodeState } from '../state/cluster-state.js';
import { journalHostOf } from '../state/journal-node.js';
import type { ClusterRuntime } from './cluster-runtime.js';

// Remember every node (or only the primary, before anything else changes): port, directory, owner, adoption.
export async function recordNodes(rt: ClusterRuntime, options: { primaryOnly: boolean }): Promise<void> {
  const specs = options.primaryOnly ? [rt.spec.primary] : [rt.spec.primary, ...rt.spec.standbys];
  const stamp = await programStamp(rt.binaries.path('postgres')).catch(() => undefined);
  await rt.store.update((state) => {
    state.configPath = rt.spec.source.path;
    state.binaries = {
      binDir: rt.binaries.binDir,
      source: rt.binaries.source,
      reason: rt.binaries.reason.replace(/ \((remembered|downloaded to the cache)\)/g, ''),
      version: rt.binaries.version,
      stamp,
    };
    state.pgMajor = rt.binaries.major;
    state.socketDir = rt.layout.socketDir();
    for (const spec of specs) {
      const node = rt.node(spec.name);
      const previous = state.nodes[spec.name];
      const isPrimary = spec.name === rt.spec.primary.name;
      const adopted = isPrimary ? rt.primaryAdopted : (previous?.adopted ?? false);
      const record: NodeState = {
        name: spec.name,
        role: spec.role,
        port: node.port,
        dataDir: spec.dataDir,
        configDir: node.configDir,
        createdDataDir: rt.createdByTool(spec.dataDir, node),
        initializedByTool: previous?.initializedByTool ?? !adopted,
        adopted,
        wasRunningAtAdoption: previous?.wasRunningAtAdoption ?? (adopted ? rt.initiallyRunning.has(spec.name) : undefined),
        osUser: { name: node.osUser.name, uid: node.osUser.uid, gid: node.osUser.gid },
        upstream: spec.upstream,
        slot: spec.slot,
        ...(node.machine.remote && node.machine.sshTarget ? { host: journalHostOf(node.machine.sshTarget) } : {}),
      };
      state.nodes[spec.name] = record;
    }
  });
}
