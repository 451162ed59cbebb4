import { readFile } from 'node:fs/promises';
import { pgpassLine, type Action, type StepContext } from '@hotstandby/core';

// The passfile standbys and pg_basebackup read for the replication password: 0600, owned by the server's OS user,
// with "replication" as the database field, which matches physical replication connections.
export async function planPassfile(ctx: StepContext): Promise<Action[]> {
  const { user } = ctx.spec.replication;
  const file = ctx.paths.replicationPassfile;
  const content = pgpassLine('*', '*', 'replication', user, ctx.secrets.replicationPassword) + '\n';
  const current = await readFile(file, 'utf8').catch(() => undefined);
  if (current === content) return [];
  return [{ kind: 'write-file', path: file, content, owner: 'server', mode: 0o600, secret: true, summary: `write the replication passfile ${file}` }];
}
