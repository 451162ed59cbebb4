import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { passfileModeProblem, pgpassLine, replicationPassfileOf, type Action, type PgNode, type StepContext } from '@hotstandby/core';

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
  for (const node of [ctx.primary, ...ctx.standbys].filter((n) => n.machine.remote)) {
    const remote = await planRemotePassfile(node, replicationPassfileOf(node, file), content);
    actions.push(...remote.actions);
    notes.push(...remote.notes);
  }
  return { actions, notes };
}

// The passfile of a node on another host, on that host: written (with its missing directory) when absent, different,
// or readable by others than the server's account (libpq ignores it then).
async function planRemotePassfile(node: PgNode, file: string, content: string): Promise<{ actions: Action[]; notes: string[] }> {
  const machine = node.machine;
  const facts = await machine.stat(file);
  const current = facts?.kind === 'file' ? (await machine.readFile(file))?.toString('utf8') : undefined;
  const problem =
    facts && ((facts.mode & 0o077) !== 0 || facts.uid !== node.osUser.uid) ? `mode ${(facts.mode & 0o777).toString(8).padStart(4, '0')}, owner uid ${facts.uid}` : undefined;
  if (current === content && !problem) return { actions: [], notes: [] };
  const actions: Action[] = [];
  const dir = path.dirname(file);
  if (!(await machine.stat(dir))) actions.push({ kind: 'mkdir', path: dir, node: node.name, owner: 'invoker', mode: 0o755, summary: `create ${dir} on ${machine.label}` });
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
  return { actions, notes: problem ? [`repaired ${node.name}'s replication passfile ${file} on ${machine.label}: it had ${problem}; now 0600, owned by ${node.osUser.name}`] : [] };
}
