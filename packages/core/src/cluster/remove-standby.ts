import { rm } from 'node:fs/promises';
import { dropInactiveSlot } from '../postgres/replication-slots.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import { deleteItYourself } from './remove-standby-hints.js';
import { removeStandbyTablespaceDirs } from './standby-tablespace-dirs.js';

// Stop a standby that left the topology, drop its slot on its upstream, and delete its data directory only
// when asked and only if the tool created it. (synchronous_standby_names was already updated by the caller.)
export async function removeStandbyNode(
  rt: ClusterRuntime,
  name: string,
  options: { purge: boolean; log: (line: string) => void },
): Promise<{ deleted: string[]; kept: string[] }> {
  const node = rt.node(name);
  const spec = rt.spec.standbys.find((s) => s.name === name);
  if (await node.isRunning()) {
    options.log(`stopping ${name}`);
    await node.stop('fast');
  }
  const upstream = spec?.upstream ? rt.node(spec.upstream) : rt.primary;
  if (spec?.slot && (await upstream.isRunning())) {
    if (await dropInactiveSlot(upstream, spec.slot)) options.log(`dropped the replication slot ${spec.slot} on ${upstream.name}`);
    await rt.store.removeJournal((e) => e.kind === 'slot' && e.slot === spec.slot && e.node === upstream.name);
  }
  const deleted: string[] = [];
  const kept: string[] = [];
  if (options.purge && rt.createdByTool(node.dataDir)) {
    const tablespaceDirs = await removeStandbyTablespaceDirs(rt, node, options.log);
    deleted.push(...tablespaceDirs);
    await rt.store.removeJournal((e) => e.kind === 'dir' && tablespaceDirs.includes(e.path));
    options.log(`deleting ${node.dataDir}`);
    await rm(node.dataDir, { recursive: true, force: true });
    deleted.push(node.dataDir);
    await rt.store.removeJournal((e) => e.kind === 'dir' && e.path === node.dataDir);
  } else if (node.exists()) {
    // --purge works only now, while the standby is still part of the cluster: afterwards the user deletes it.
    kept.push(`${node.dataDir} (${rt.createdByTool(node.dataDir) ? deleteItYourself(node.dataDir) : 'not created by hotstandby, so it never deletes it'})`);
  }
  await rt.store.update((s) => {
    delete s.nodes[name];
  });
  return { deleted, kept };
}
