import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rename, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import { lsnReached } from '../postgres/lsn.js';
import { readControlFacts } from '../postgres/pg-control.js';
import type { PgNode } from '../postgres/pg-node.js';
import { runProgramAllowFailure } from '../postgres/process-runner.js';
import { buildConninfo, pgpassLine } from '../postgres/quoting.js';
import { chownIfRoot, writeFileAtomic } from '../util/atomic-write.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import { recordRejoin } from './topology-change.js';

// How a former primary became a standby again.
export type RejoinMethod = 'follow' | 'pg_rewind' | 'base-backup';

// Turn a former primary into a standby of the current primary: follow the new timeline directly when it
// stopped cleanly before the fork, else pg_rewind it, else (no pg_rewind, or it fails) take a fresh base
// backup — keeping a directory the tool did not create by moving it aside, never deleting it. The caller then
// runs the pipeline, which writes the standby configuration and starts it.
export async function rejoinFormerPrimary(rt: ClusterRuntime, name: string, log: (line: string) => void): Promise<{ method: RejoinMethod; detail: string }> {
  const node = rt.detached.find((n) => n.name === name);
  if (!node) {
    const known = rt.detached.map((n) => n.name);
    throw new HotstandbyError('TOPOLOGY_CONFLICT', `${name} is not a former primary waiting to rejoin`, {
      where: { node: name },
      fix: known.length ? `former primaries: ${known.join(', ')}` : 'rejoin is for the old primary after promote or switchover; nothing waits for it now',
    });
  }
  const primary = rt.primary;
  if (!(await primary.isRunning())) throw new HotstandbyError('NOT_CREATED', `the primary ${primary.name} is not running`, { fix: `start it (hotstandby start ${primary.name})` });
  if (await node.isRunning()) {
    log(`stopping ${name}, which runs as a second primary`);
    await node.stop('fast');
  }
  // Right after a promotion the new timeline is only in pg_control once a checkpoint ran; pg_rewind and the
  // fork point below both read it from there.
  await primary.query('CHECKPOINT');
  const result = await chooseAndRun(rt, node, log);
  await dropOwnSlots(rt, node, log);
  await markAsStandby(rt, node);
  await recordRejoin(rt.store, name);
  return result;
}

async function chooseAndRun(rt: ClusterRuntime, node: PgNode, log: (line: string) => void): Promise<{ method: RejoinMethod; detail: string }> {
  const control = await readControlFacts(node.dataDir);
  const fork = await forkPoint(rt.primary);
  if (control.state === 'shut down' && fork && lsnReached(fork, control.checkpoint) && fork !== control.checkpoint) {
    return { method: 'follow', detail: `it stopped cleanly at ${control.checkpoint}, before ${rt.primary.name}'s timeline forked at ${fork}: no rewind needed` };
  }
  const why = control.state !== 'shut down' ? `it did not stop cleanly (${control.state})` : `its last checkpoint ${control.checkpoint} is past the fork at ${fork ?? 'unknown'}`;
  if (rt.binaries.has('pg_rewind')) {
    log(`${node.name}: ${why}; running pg_rewind`);
    const rewind = await runRewind(rt, node);
    if (rewind.ok) return { method: 'pg_rewind', detail: `${why}; pg_rewind rewound it (${rewind.output})` };
    log(`pg_rewind could not rewind ${node.name}: ${rewind.output}`);
  }
  const aside = await clearForBaseBackup(rt, node);
  return {
    method: 'base-backup',
    detail: `${why}; ${rt.binaries.has('pg_rewind') ? 'pg_rewind could not help' : 'no pg_rewind in ' + rt.binaries.binDir}, so a fresh base backup follows${aside ? ` (the old directory is kept as ${aside})` : ''}`,
  };
}

// Where the current primary's timeline branched off its parent (from its timeline history file).
async function forkPoint(primary: PgNode): Promise<string | undefined> {
  const tli = await primary.queryOne<{ tli: number }>('SELECT timeline_id AS tli FROM pg_control_checkpoint()');
  if (!tli || tli.tli <= 1) return undefined;
  const file = `${primary.facts.walDir}/${tli.tli.toString(16).toUpperCase().padStart(8, '0')}.history`;
  const row = await primary.queryOne<{ content: string }>('SELECT pg_read_file($1) AS content', [file]).catch(() => undefined);
  const last = row?.content
    .trim()
    .split('\n')
    .filter((l) => /^\d/.test(l))
    .pop();
  return last?.split(/\s+/)[1];
}

// pg_rewind as the server's OS user, with the superuser's password in a temporary 0600 passfile.
async function runRewind(rt: ClusterRuntime, node: PgNode): Promise<{ ok: boolean; output: string }> {
  const passfile = path.join(rt.layout.runDir, `.rewind-${randomBytes(6).toString('hex')}.pgpass`);
  await writeFileAtomic(passfile, pgpassLine('*', '*', '*', rt.spec.superuser.name, rt.passwords.superuser?.value ?? '') + '\n', {
    mode: 0o600,
    uid: rt.serverUser.uid,
    gid: rt.serverUser.gid,
  });
  try {
    const source = buildConninfo({ host: '127.0.0.1', port: rt.primary.port, user: rt.spec.superuser.name, dbname: 'postgres', passfile });
    const result = await runProgramAllowFailure(rt.binaries.path('pg_rewind'), ['--target-pgdata', node.dataDir, '--source-server', source], {
      user: rt.serverUser,
      env: { PGPASSFILE: passfile },
      purpose: `pg_rewind of ${node.name}`,
      timeoutMs: 600_000,
    });
    const output = (result.stderr || result.stdout).trim().split('\n').slice(-2).join(' ');
    return { ok: result.exitCode === 0, output };
  } finally {
    await unlink(passfile).catch(() => undefined);
  }
}

// Empty the way for a new base backup: a directory the tool created is removed; anything else is moved aside.
async function clearForBaseBackup(rt: ClusterRuntime, node: PgNode): Promise<string | undefined> {
  if (rt.createdByTool(node.dataDir)) {
    await rm(node.dataDir, { recursive: true, force: true });
    return undefined;
  }
  const aside = `${node.dataDir}.hotstandby-old-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  await rename(node.dataDir, aside);
  return aside;
}

// What makes PostgreSQL start the directory as a standby (the recovery-config step then writes the rest).
async function markAsStandby(rt: ClusterRuntime, node: PgNode): Promise<void> {
  if (!existsSync(node.dataDir)) return;
  const facts = node.facts;
  const file = path.join(node.dataDir, facts.standbySetup === 'standby.signal' ? 'standby.signal' : 'recovery.conf');
  await writeFile(file, facts.standbySetup === 'standby.signal' ? '' : "standby_mode = 'on'\n", { mode: 0o600 });
  await chownIfRoot(file, rt.serverUser.uid, rt.serverUser.gid);
}

// The slots the tool made on the node while it was the primary serve nobody now, and an unused slot keeps WAL
// forever. The node is stopped, so their directories in pg_replslot are removed (a user's own slots stay).
async function dropOwnSlots(rt: ClusterRuntime, node: PgNode, log: (line: string) => void): Promise<void> {
  const own = rt.state.journal.filter((e) => e.kind === 'slot' && e.node === node.name);
  for (const entry of own) {
    if (entry.kind !== 'slot') continue;
    const dir = path.join(node.dataDir, 'pg_replslot', entry.slot);
    if (existsSync(dir)) {
      log(`dropping the replication slot ${entry.slot} ${node.name} kept from its time as primary`);
      await rm(dir, { recursive: true, force: true });
    }
  }
  await rt.store.removeJournal((e) => e.kind === 'slot' && e.node === node.name);
}
