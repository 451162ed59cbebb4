import { randomBytes } from 'node:crypto';
import { pathsOn } from '../hosts/machine-paths.js';
import type { PgNode } from '../postgres/pg-node.js';

// The temporary passfiles pg_rewind reads the superuser's password from: hotstandby's own name (the older name
// without "hotstandby-" too), so that one an interrupted or killed rejoin left is known for what it is.
const NAME = /^\.(?:hotstandby-)?rewind-[0-9a-f]{12}\.pgpass$/;

// Where a rejoin's pg_rewind passfile goes: the run directory for a node on this machine, beside the data
// directory on another host (where the run directory does not exist).
export function rewindPassfileDir(node: PgNode, runDir: string): string {
  return node.machine.remote ? pathsOn(node.machine).dirname(node.dataDir) : runDir;
}

// A new passfile name in that directory.
export function newRewindPassfile(node: PgNode, runDir: string): string {
  const name = `.hotstandby-rewind-${randomBytes(6).toString('hex')}.pgpass`;
  return pathsOn(node.machine).join(rewindPassfileDir(node, runDir), name);
}

// The passfiles an earlier rejoin of the node left there (interrupted, killed): only files with that name that are
// plain files, mode 0600 and owned by the node's server account, as hotstandby makes them; anything else with a
// similar name is not hotstandby's and stays.
export async function leftoverRewindPassfiles(node: PgNode, runDir: string): Promise<string[]> {
  const dir = rewindPassfileDir(node, runDir);
  const found: string[] = [];
  for (const name of (await node.machine.readdir(dir)) ?? []) {
    if (!NAME.test(name)) continue;
    const file = pathsOn(node.machine).join(dir, name);
    const facts = await node.machine.stat(file);
    if (facts?.kind === 'file' && facts.mode === 0o600 && facts.uid === node.osUser.uid) found.push(file);
  }
  return found;
}
