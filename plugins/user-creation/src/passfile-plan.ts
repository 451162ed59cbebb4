import { readFile } from 'node:fs/promises';
import { passfileModeProblem, pgpassLine, type Action, type StepContext } from '@hotstandby/core';

// The passfile standbys and pg_basebackup read for the replication password: 0600, owned by the server's OS user,
// with "replication" as the database field, which matches physical replication connections. The notes say what
// was repaired.
export async function planPassfile(ctx: StepContext): Promise<{ actions: Action[]; notes: string[] }> {
  const { user } = ctx.spec.replication;
  const file = ctx.paths.replicationPassfile;
  const content = pgpassLine('*', '*', 'replication', user, ctx.secrets.replicationPassword) + '\n';
  const current = await readFile(file, 'utf8').catch(() => undefined);
  // A file group or others can read is ignored by libpq, so the standbys could not log in: it is written again.
  const problem = current === undefined ? undefined : await passfileModeProblem(file, ctx.serverUser.uid);
  if (current === content && !problem) return { actions: [], notes: [] };
  return {
    actions: [{ kind: 'write-file', path: file, content, owner: 'server', mode: 0o600, secret: true, summary: `write the replication passfile ${file}` }],
    notes: problem ? [`repaired the replication passfile ${file}: ${problem}; now 0600, owned by ${ctx.serverUser.name}`] : [],
  };
}
