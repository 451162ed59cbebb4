import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { passfileFactsProblem, passfileModeProblem, pgpassLine, replicationPassfileOf, type Action, type PgNode, type StepContext } from '@hotstandby/core';

// The passfile standbys and pg_basebackup read for the replication password: 0600, owned by the server's OS user,
// with "replication" as the database field, which matches physical replication connections. The notes say what
// was repaired. Every node on another host gets its own copy there (beside its data directory), since its
// walreceiver and pg_basebackup read it on their own machine.
export async function planPassfile(ctx: StepContext): Promise<{ actions: Action[]; notes: string[] }> {
  const { user } = ctx.spec.replication;
  const file = ctx.paths.replicationPassfile;
  const content = pgpassLine('*', '*', 'replication', user, ctx.secrets.replicationPassword) + '\n';
  const current = await readFile(file, 'utf8').catch(() => undefined);
  // A file group or others can read is ignored by libpq, so the standbys could not log in: it is written again.
  const problem = current === undefined ? undefined : await passfileModeProblem(file, ctx.serverUser.uid);
  const actions: Action[] = [];
  const notes: string[] = [];
  if (current !== content || problem) {
    actions.push({ kind: 'write-file', path: file, content, owner: 'server', mode: 0o600, secret: true, summary: `write the replication passfile ${file}` });
    if (problem) notes.push(`repaired the replication passfile ${file}: ${problem}; now 0600, owned by ${ctx.serverUser.name}`);
  }
  const remotes = await Promise.all(
    [ctx.primary, ...ctx.standbys].filter((n) => n.machine.remote).map((node) => planRemotePassfile(node, replicationPassfileOf(node, file), content)),
  );
  for (const remote of remotes) {
    actions.push(...remote.actions);
    notes.push(...remote.notes);
  }
  return { actions, notes };
}

// The passfile of a node on another host, on that host: written (with its missing directory) when absent, different,
// or readable by others than the server's account (libpq ignores it then).
async function planRemotePassfile(node: PgNode, file: string, content: string): Promise<{ actions: Action[]; notes: string[] }> {
  const machine = node.machine;
  const dir = path.dirname(file);
  const [facts, bytes, dirFacts] = await Promise.all([machine.stat(file), machine.readFile(file).catch(() => undefined), machine.stat(dir)]);
  const current = facts?.kind === 'file' ? bytes?.toString('utf8') : undefined;
  const problem = passfileFactsProblem(facts, node.osUser.uid);
  if (current === content && !problem) return { actions: [], notes: [] };
  const actions: Action[] = [];
  if (!dirFacts) actions.push({ kind: 'mkdir', path: dir, node: node.name, owner: 'invoker', mode: 0o755, summary: `create ${dir} on ${machine.label}` });
  actions.push({
    kind: 'write-file',
    path: file,
    node: node.name,
    content,
    owner: 'server',
    mode: 0o600,
    secret: true,
    summary: `write ${node.name}'s replication passfile ${file} on ${machine.label}`,
  });
  return { actions, notes: problem ? [`repaired ${node.name}'s replication passfile ${file} on ${machine.label}: ${problem}; now 0600, owned by ${node.osUser.name}`] : [] };
}
