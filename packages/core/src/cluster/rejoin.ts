import { HotstandbyError } from '../errors/hotstandby-error.js';
import type { Action } from '../executor/action.js';
import type { OperationPlan, PlanStep } from '../executor/operation-plan.js';
import { lsnAfter } from '../postgres/lsn.js';
import { readControlFacts } from '../postgres/pg-control.js';
import { hostSeenFrom } from '../hosts/node-address.js';
import type { PgNode } from '../postgres/pg-node.js';
import { buildConninfo, pgpassLine, quoteShellArg } from '../postgres/quoting.js';
import { tlsConninfoParams } from '../tls/tls-decisions.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import { standbyMarkerFile } from './standby-marker.js';
import { cleanShutdownCheck } from './failover-actions.js';
import { pipelineStep, type Pipeline } from './pipeline-step.js';
import { REWIND_SOURCE_DATABASE, rewindAccess } from './rewind-access.js';
import { timelineFork } from './timeline-fork.js';
import { leftoverRewindPassfiles, newRewindPassfile } from './rewind-passfile.js';
import { recordRejoin, topologyAfterRejoin } from './topology-change.js';

// How a former primary became a standby again.
export type RejoinMethod = 'follow' | 'pg_rewind' | 'base-backup';

// The way a former primary rejoins, chosen from the facts when planning, and why.
export interface RejoinChoice {
  method: RejoinMethod;
  detail: string;
  // Where a data directory the tool did not create is moved aside if it must make way for a fresh base backup
  // (decided once, so the plan's text and its action name the same path).
  aside?: string;
}

// rejoin as a plan: turn a former primary into a standby of the current primary. It follows the new timeline
// directly when it stopped cleanly before the fork, else pg_rewind rewinds it, else (no pg_rewind, or it fails)
// a fresh base backup replaces it — a directory the tool did not create is moved aside, never deleted. The
// pipeline then writes the standby configuration and starts it.
export async function planRejoin(rt: ClusterRuntime, name: string, pipeline: Pipeline): Promise<{ plan: OperationPlan; outcome(): RejoinChoice } & RejoinChoice> {
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
  const running = await node.isRunning();
  const choice = await chooseRejoin(rt, node, running);
  const steps: PlanStep[] = [];
  if (running)
    steps.push({ title: `stopping ${name}, which runs as a second primary`, actions: [{ kind: 'node', node: name, op: 'stop', mode: 'fast', summary: `stop ${name} (fast)` }] });
  let outcome = choice;
  const fellBack = () => {
    outcome = { method: 'base-backup', detail: `${choice.detail.split('; ')[0]}; pg_rewind could not rewind it, so a fresh base backup follows` };
  };
  steps.push(...(await rejoinSteps(rt, node, choice, rt.primary, fellBack)));
  steps.push(await pipelineStep(rt, pipeline, topologyAfterRejoin(rt.state.topology, name), steps));
  return {
    ...choice,
    outcome: () => outcome,
    plan: {
      command: `rejoin ${name}`,
      purpose: `Make the former primary ${name} a standby of ${primary.name} (${choice.method}): ${choice.detail}.`,
      checked: [`${name} waits to rejoin`, `the primary ${primary.name} runs`, running ? `${name} runs (as a second primary): it is stopped first` : `${name} is stopped`],
      steps,
    },
  };
}

// Which way the node rejoins, from pg_control and the primary's timeline history (a running node is stopped first:
// its shutdown checkpoint then lies past the fork).
export async function chooseRejoin(rt: ClusterRuntime, node: PgNode, running: boolean): Promise<RejoinChoice> {
  if (!(await node.machine.stat(node.dataPath('global', 'pg_control')))) {
    return { method: 'base-backup', detail: `${node.dataDir} holds no cluster (an earlier rejoin cleared it), so a fresh base backup follows` };
  }
  const fork = await timelineFork(rt.primary);
  let why = `it runs as a second primary, so its shutdown checkpoint will be past the fork at ${fork ?? 'unknown'}`;
  if (!running) {
    const control = await readControlFacts(node.dataDir, node.machine);
    if (control.state === 'shut down' && lsnAfter(fork, control.checkpoint)) {
      return { method: 'follow', detail: `it stopped cleanly at ${control.checkpoint}, before ${rt.primary.name}'s timeline forked at ${fork}: no rewind needed` };
    }
    why = control.state !== 'shut down' ? `it did not stop cleanly (${control.state})` : `its last checkpoint ${control.checkpoint} is past the fork at ${fork ?? 'unknown'}`;
  }
  const aside = rt.createdByTool(node.dataDir, node) ? undefined : asidePath(node);
  if (node.binaries.has('pg_rewind')) return { method: 'pg_rewind', detail: `${why}; pg_rewind rewinds it (if it cannot, a fresh base backup follows)`, aside };
  const kept = aside ? ` (the old directory is kept as ${aside})` : '';
  return {
    method: 'base-backup',
    detail: `${why}; no pg_rewind in ${node.binaries.binDir}${node.machine.remote ? ` on ${node.machine.label}` : ''}, so a fresh base backup follows${kept}`,
    aside,
  };
}

// The steps that make a stopped former primary a standby of the current primary the chosen way (the pipeline's
// recovery settings and start come after them).
export async function rejoinSteps(
  rt: ClusterRuntime,
  node: PgNode,
  choice: RejoinChoice,
  primary: PgNode = rt.primary,
  fellBack: () => void = () => undefined,
): Promise<PlanStep[]> {
  const again = `run "hotstandby rejoin ${node.name}": it plans again from what it finds (pg_rewind, or a fresh base backup)`;
  const steps: PlanStep[] = [
    {
      title: `checkpoint on ${primary.name}, so its new timeline is in pg_control`,
      actions: [{ kind: 'sql', node: primary.name, sql: 'CHECKPOINT', summary: `checkpoint on ${primary.name}` }],
    },
  ];
  const leftovers = await leftoverRewindPassfiles(node, rt.layout.runDir);
  if (leftovers.length > 0) {
    steps.push({
      title: `removing the temporary passfiles an interrupted rejoin of ${node.name} left`,
      actions: leftovers.map((file) => ({ kind: 'remove-file', node: node.name, path: file, summary: `remove ${file}, left by an interrupted pg_rewind` })),
    });
  }
  if (choice.method === 'follow') {
    steps.push({
      title: `${node.name} can follow ${primary.name}'s timeline without a rewind`,
      actions: [followCheck(node, primary)],
      ifFails: `${node.name} cannot follow as it is; ${again}`,
    });
  } else if (choice.method === 'pg_rewind') {
    // On another machine than the primary, pg_rewind gets in through a temporary rule, removed again after it (also
    // when it failed, before the fresh base backup).
    const access = await rewindAccess(rt, node, primary);
    steps.push({
      title: `rewinding ${node.name} to ${primary.name}'s timeline with pg_rewind`,
      actions: [...(access?.grant ?? []), ...(await rewindActions(rt, node, primary, fellBack, choice.aside)), ...(access?.revoke ?? [])],
      check: `pg_rewind ends with "Done!"`,
      ifFails: `when pg_rewind cannot rewind, ${node.name}'s directory is ${rt.createdByTool(node.dataDir, node) ? 'removed' : 'moved aside'} and the pipeline takes a fresh base backup`,
    });
  } else {
    steps.push({ title: `clearing the way for a fresh base backup of ${node.name}`, actions: await clearActions(rt, node, choice.aside) });
  }
  steps.push({
    title: `marking ${node.name} as a standby`,
    actions: [
      ...(await ownSlotActions(rt, node, choice)),
      markerAction(node),
      { kind: 'record', summary: `${node.name} is a standby again`, run: () => recordRejoin(rt.store, node.name) },
    ],
    check: `${node.name}'s data directory holds ${node.facts.standbySetup}`,
  });
  return steps;
}

// At run time: the node stopped cleanly before the primary's timeline forked, so it can stream the new timeline.
function followCheck(node: PgNode, primary: PgNode): Action {
  const clean = cleanShutdownCheck(node);
  return {
    kind: 'check',
    node: node.name,
    summary: `${node.name} stopped cleanly before ${primary.name}'s timeline forked`,
    async run(signal) {
      await clean.run(signal);
      const { checkpoint } = await readControlFacts(node.dataDir, node.machine);
      const fork = await timelineFork(primary);
      if (!lsnAfter(fork, checkpoint)) {
        throw new HotstandbyError('TOPOLOGY_CONFLICT', `${node.name}'s last checkpoint ${checkpoint} is not before ${primary.name}'s fork at ${fork ?? 'unknown'}`, {
          where: { node: node.name },
          fix: `hotstandby rejoin ${node.name} (it rewinds it with pg_rewind or takes a fresh base backup)`,
        });
      }
    },
    byHand: { sh: clean.byHand.sh, text: `pg_controldata shows a clean shut down whose "Latest checkpoint location" is before the fork in ${primary.name}'s newest .history file` },
  };
}

// pg_rewind as the server's OS user, with the superuser's password in a temporary 0600 passfile; when it fails,
// the directory is cleared for a fresh base backup instead.
// On another host, pg_rewind runs there (as that host's server account), its passfile beside the data directory.
async function rewindActions(rt: ClusterRuntime, node: PgNode, primary: PgNode, fellBack: () => void, aside?: string): Promise<Action[]> {
  const passfile = newRewindPassfile(node, rt.layout.runDir);
  // Across hosts with TLS, verified against the CA on the node's own host as its replication will be.
  const tls = tlsConninfoParams(rt.spec, node.name, primary.name);
  const source = buildConninfo({ host: await hostSeenFrom(primary, node), port: primary.port, user: rt.spec.superuser.name, dbname: REWIND_SOURCE_DATABASE, passfile, ...tls });
  return [
    {
      kind: 'write-file',
      node: node.name,
      path: passfile,
      content: pgpassLine('*', '*', '*', rt.spec.superuser.name, rt.passwords.superuser?.value ?? '') + '\n',
      owner: 'server',
      mode: 0o600,
      secret: true,
      summary: `a temporary passfile for pg_rewind`,
      // The runbook's own passfile holds the same superuser line (for 127.0.0.1); the server account must read it.
      byHand: {
        sh: `cp "$PGPASSFILE" ${quoteShellArg(passfile)} && chmod 600 ${quoteShellArg(passfile)} && to_server ${quoteShellArg(passfile)}`,
        cmd: `copy /y "%PGPASSFILE%" "${passfile}"`,
        text: 'a copy of the superuser passfile',
      },
    },
    {
      kind: 'exec',
      command: node.binaries.path('pg_rewind'),
      args: ['--target-pgdata', node.dataDir, '--source-server', source],
      runAs: 'server',
      env: { PGPASSFILE: passfile },
      node: node.name,
      timeoutMs: 600_000,
      summary: `pg_rewind of ${node.name} from ${primary.name}`,
      otherwise: [
        { kind: 'remove-file', node: node.name, path: passfile, summary: 'remove the temporary passfile' },
        ...(await clearActions(rt, node, aside)),
        { kind: 'record', summary: `pg_rewind could not rewind ${node.name}: a fresh base backup follows`, run: async () => fellBack() },
      ],
    },
    // Removed also when pg_rewind fails without a fallback or the run is interrupted: it holds the superuser's password.
    { kind: 'remove-file', node: node.name, path: passfile, summary: 'remove the temporary passfile', always: true },
  ];
}

// Empty the way for a new base backup: a directory the tool created is removed; anything else is moved aside.
async function clearActions(rt: ClusterRuntime, node: PgNode, aside: string = asidePath(node)): Promise<Action[]> {
  if (!(await node.machine.stat(node.dataDir))) return [];
  if (rt.createdByTool(node.dataDir, node))
    return [{ kind: 'remove-dir', node: node.name, path: node.dataDir, summary: `remove ${node.name}'s data directory (hotstandby created it)` }];
  return [{ kind: 'move-aside', node: node.name, path: node.dataDir, to: aside, summary: `move ${node.name}'s data directory aside` }];
}

function asidePath(node: PgNode): string {
  return `${node.dataDir}.hotstandby-old-${new Date().toISOString().replace(/[:.]/g, '-')}`;
}

// The slots the tool made on the node while it was the primary serve nobody now, and an unused slot keeps WAL
// forever. The node is stopped, so their directories in pg_replslot are removed (a user's own slots stay).
async function ownSlotActions(rt: ClusterRuntime, node: PgNode, choice: RejoinChoice): Promise<Action[]> {
  const own = rt.state.journal.flatMap((e) => (e.kind === 'slot' && e.node === node.name ? [e.slot] : []));
  const actions: Action[] = [];
  if (choice.method !== 'base-backup') {
    for (const slot of own) {
      const dir = node.dataPath('pg_replslot', slot);
      if (await node.machine.stat(dir))
        actions.push({ kind: 'remove-dir', node: node.name, path: dir, summary: `drop the replication slot ${slot} ${node.name} kept from its time as primary` });
    }
  }
  if (own.length > 0)
    actions.push({
      kind: 'record',
      summary: `${node.name} holds no slots of hotstandby's now`,
      run: () => rt.store.removeJournal((e) => e.kind === 'slot' && e.node === node.name),
    });
  return actions;
}

// What makes PostgreSQL start the directory as a standby (the recovery-config step then writes the rest); skipped
// when the directory was cleared for a base backup.
function markerAction(node: PgNode): Action {
  const recoveryConf = node.facts.standbySetup === 'recovery.conf';
  return {
    kind: 'write-file',
    node: node.name,
    path: standbyMarkerFile(node),
    content: recoveryConf ? "standby_mode = 'on'\n" : '',
    owner: 'server',
    mode: 0o600,
    whenDirExists: true,
    summary: `mark ${node.name} as a standby (${node.facts.standbySetup})`,
  };
}
