import { HotstandbyError } from '../errors/hotstandby-error.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import { promotionPreview, refuseUnpromotable } from './promotion-preview.js';
import { promoteJournaled } from './topology-change.js';

// Promote a standby to primary (pg_ctl promote, which every major from 10 supports and waits for). Refused
// while the current primary runs — never two primaries — unless force, which stops it cleanly first.
export async function promoteStandby(rt: ClusterRuntime, name: string, options: { force?: boolean; log: (line: string) => void }): Promise<{ oldPrimary: string }> {
  const node = rt.node(name);
  const old = rt.primary;
  if (!rt.spec.standbys.some((s) => s.name === name)) {
    throw new HotstandbyError('TOPOLOGY_CONFLICT', `${name} is not a standby of this cluster (the primary is ${old.name})`, {
      where: { node: name },
      fix: `name one of: ${rt.spec.standbys.map((s) => s.name).join(', ') || '(no standbys)'}`,
    });
  }
  if (!(await node.isRunning()) || !(await node.isInRecovery())) {
    throw new HotstandbyError('TOPOLOGY_CONFLICT', `${name} is not a running standby`, { where: { node: name }, fix: `start it first (hotstandby start ${name})` });
  }
  await refuseUnpromotable(node);
  if (await old.isRunning()) {
    if (!options.force) {
      throw new HotstandbyError('SPLIT_BRAIN_GUARD', `${old.name} is still running as the primary; promoting ${name} would make two primaries`, {
        where: { node: name },
        fix: `stop ${old.name} first (hotstandby stop ${old.name}), or pass --force to have promote stop it cleanly`,
      });
    }
    options.log(`stopping the old primary ${old.name} (fast)`);
    await old.stop('fast');
  }
  for (const line of await promotionPreview(node)) options.log(line);
  options.log(`promoting ${name}`);
  await promoteJournaled(rt.store, rt.configSpec.primary.name, node, old.name);
  return { oldPrimary: old.name };
}
