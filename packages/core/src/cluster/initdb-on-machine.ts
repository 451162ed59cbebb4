import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { PgNode } from '../postgres/pg-node.js';

// initdb for a node on another host: the superuser's password goes into a 0600 file of the server account beside
// the data directory there (never into a command line), which is removed whatever initdb does.
export async function initdbOnMachine(node: PgNode, password: string, extraArgs: readonly string[]): Promise<void> {
  const pwfile = path.posix.join(path.posix.dirname(node.dataDir), `.${path.posix.basename(node.dataDir)}.initdb-${randomBytes(6).toString('hex')}.pw`);
  await node.machine.writeFileAtomic(pwfile, `${password}\n`, { mode: 0o600, uid: node.osUser.uid, gid: node.osUser.gid, exact: true });
  try {
    await node.initdb({ pwfile, extraArgs });
  } finally {
    await node.machine.remove(pwfile).catch(() => undefined);
  }
}
