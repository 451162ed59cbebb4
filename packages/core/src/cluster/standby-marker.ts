import path from 'node:path';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import { lastRanInRecovery, readControlFacts } from '../postgres/pg-control.js';
import type { PgNode } from '../postgres/pg-node.js';

// What is wrong with a recorded standby's marker file before it starts, and what can be done about it.
export type MissingMarker = { kind: 'present' } | { kind: 'restorable'; file: string } | { kind: 'refused'; error: HotstandbyError };

// The file that makes PostgreSQL start a data directory as a standby: standby.signal (12+) or recovery.conf.
export function standbyMarkerFile(node: PgNode): string {
  return node.dataPath(node.facts.standbySetup);
}

// Check a stopped standby before it starts: without its marker PostgreSQL would start it as a second, writable
// primary. A copy that last ran in recovery gets its standby.signal back; one that ran as a primary since (its
// pg_control says so), or a recovery.conf (which holds the connection settings only `up` can write), is refused.
export async function checkStandbyMarker(node: PgNode, upstream: string): Promise<MissingMarker> {
  const file = standbyMarkerFile(node);
  if (!(await node.exists()) || (await node.machine.stat(file))) return { kind: 'present' };
  const control = await readControlFacts(node.dataDir, node.machine);
  const where = { node: node.name, file };
  if (!lastRanInRecovery(control)) {
    return {
      kind: 'refused',
      error: new HotstandbyError(
        'SPLIT_BRAIN_GUARD',
        `${node.name} is a standby, but ${path.basename(file)} is missing from its data directory and it has run as a primary since (pg_control: ${control.state}); it may hold writes ${upstream} does not have`,
        {
          where,
          fix: `keep what was written there first if you need it, then hotstandby rebuild ${node.name} (a new base backup, discarding its data)`,
        },
      ),
    };
  }
  if (node.facts.standbySetup !== 'standby.signal') {
    return {
      kind: 'refused',
      error: new HotstandbyError('SPLIT_BRAIN_GUARD', `${node.name} is a standby, but ${file} is missing; started without it, it would run as a second, writable primary`, {
        where,
        fix: `run hotstandby up: it writes ${node.name}'s recovery.conf again and starts it as a standby of ${upstream}`,
      }),
    };
  }
  return { kind: 'restorable', file };
}
