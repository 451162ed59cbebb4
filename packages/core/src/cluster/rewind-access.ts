import type { Action, WriteFileAction } from '../executor/action.js';
import { hostSeenFrom, onSameMachine, singleAddressRange, sourceAddressTowards } from '../hosts/node-address.js';
import { type HbaRule, withoutRuleInManagedBlock, withRuleInManagedBlock } from '../postgres/hba-file.js';
import type { PgNode } from '../postgres/pg-node.js';
import { readHbaFile } from '../postgres/read-hba-file.js';
import { hbaPasswordMethod } from '../postgres/versions.js';
import { replicationHbaType } from '../tls/tls-decisions.js';
import type { ClusterRuntime } from './cluster-runtime.js';

// The database pg_rewind's source connection names (its queries need no other), and the only one its rule lets in.
export const REWIND_SOURCE_DATABASE = 'postgres';

// The temporary pg_hba.conf access pg_rewind of a node on another machine needs on its source primary: actions
// that add the rule and reload (before pg_rewind), and actions that remove it again and reload (after it, also when
// it failed). The rule lives in hotstandby's managed block of the primary's pg_hba.conf.
export interface RewindAccess {
  rule: HbaRule;
  grant: Action[];
  revoke: Action[];
}

// The rule that lets pg_rewind on `node`'s machine connect to `primary` as the superuser (database postgres, the
// only one pg_rewind's source connection uses) from the node's own address alone, over TLS when replication between
// these hosts is encrypted; undefined on one machine, where the loopback rules already let it in.
export async function rewindAccessRule(rt: ClusterRuntime, node: PgNode, primary: PgNode): Promise<HbaRule | undefined> {
  if (onSameMachine(node, primary)) return undefined;
  // Where the node's connections to the primary come from, as hba-config finds a standby's replication source.
  const address = await sourceAddressTowards(node.machine, await hostSeenFrom(primary, node));
  return {
    type: replicationHbaType(rt.spec, primary.name, node.name),
    database: REWIND_SOURCE_DATABASE,
    user: rt.spec.superuser.name,
    address: singleAddressRange(address),
    method: hbaPasswordMethod(primary.facts),
  };
}

// The add and the removal of the temporary rule for pg_rewind of `node` from `primary` (undefined when none is
// needed). Planned from the primary's pg_hba.conf as it is now; a rule an interrupted run left behind is removed too.
export async function rewindAccess(rt: ClusterRuntime, node: PgNode, primary: PgNode): Promise<RewindAccess | undefined> {
  const rule = await rewindAccessRule(rt, node, primary);
  if (!rule) return undefined;
  const file = await primary.settingPath('hba_file');
  const original = withoutRuleInManagedBlock(await readHbaFile(primary, file), rule);
  const granted = withRuleInManagedBlock(original, rule);
  const who = `${rule.user} from ${node.name}'s address ${rule.address} (${rule.type})`;
  const write = (content: string, summary: string, plannedBefore?: string): WriteFileAction => ({
    kind: 'write-file',
    node: primary.name,
    path: file,
    content,
    ...(plannedBefore === undefined ? {} : { plannedBefore }),
    owner: 'server',
    mode: 0o600,
    summary,
  });
  const reload = (why: string): Action => ({ kind: 'node', node: primary.name, op: 'reload', summary: `reload ${primary.name} (${why})` });
  return {
    rule,
    grant: [write(granted, `let ${who} connect to ${primary.name} for pg_rewind, for now`), reload('it lets pg_rewind in')],
    // Taken back also when pg_rewind (or anything between) fails or the run is interrupted.
    revoke: [
      { ...write(original, `remove the temporary rule for ${who} from ${primary.name}'s pg_hba.conf`, granted), always: true },
      { ...reload('the temporary rule is gone'), always: true },
    ],
  };
}
