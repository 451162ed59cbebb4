import path from 'node:path';
import type { Executor } from '../executor/executor.js';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import type { PgNode } from '../postgres/pg-node.js';
import type { StepContext, StepLogger, StateView } from '../plugin/step-context.js';
import type { PipelineStep } from '../pipeline/pipeline-step.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import { journalPlaceOf } from '../state/journal-node.js';

// Builds the context each step sees from the runtime, without exposing the runtime or the container.
export class StepContextFactory {
  constructor(
    private readonly rt: ClusterRuntime,
    private readonly executor: Executor,
    private readonly flags: { dryRun: boolean; allowRestart: boolean; signal: AbortSignal; plannedWrites?: ReadonlySet<string> },
  ) {}

  // The context for one step on one node.
  create(step: PipelineStep, node: PgNode, log: StepLogger): StepContext<any> {
    const rt = this.rt;
    const nodeSpec = [rt.spec.primary, ...rt.spec.standbys].find((n) => n.name === node.name)!;
    const upstream = nodeSpec.upstream ? rt.node(nodeSpec.upstream) : undefined;
    return {
      step: step.plugin.name,
      options: step.options,
      spec: rt.spec,
      node,
      nodeSpec,
      primary: rt.primary,
      standbys: rt.standbys,
      upstream,
      facts: rt.primary.facts,
      serverUser: rt.serverUser,
      secrets: {
        get superuserPassword() {
          return required(rt.passwords.superuser?.value, 'superuser');
        },
        get replicationPassword() {
          return required(rt.passwords.replication?.value, 'replication');
        },
      },
      paths: {
        stateDir: rt.layout.root,
        runDir: rt.layout.runDir,
        socketDir: rt.layout.socketDir(),
        logsDir: rt.layout.logsDir,
        replicationPassfile: rt.layout.replicationPassfile,
        archiveDir: rt.spec.archive?.dir,
        logFile: (n) => rt.layout.logFile(n),
      },
      state: stateView(rt),
      log,
      signal: this.flags.signal,
      dryRun: this.flags.dryRun,
      allowRestart: this.flags.allowRestart,
      isPlanned: (n) => this.flags.dryRun && !n.existsHere(),
      ...(this.flags.plannedWrites ? { plannedWrite: (file: string) => this.flags.plannedWrites!.has(path.resolve(file)) } : {}),
      run: (actions) => this.executor.applyAll(actions),
      coldCopy: () => (upstream && rt.coldCopy?.node === upstream.name ? rt.coldCopy.dirs[node.name] : undefined),
      recordCreated: (dir, node) => {
        return rt.store.addJournal({ kind: 'dir', ...(node && journalPlaceOf(node.machine, node.name)), path: dir, at: new Date().toISOString() });
      },
    };
  }
}

function required(value: string | undefined, which: string): string {
  if (value === undefined) {
    throw new HotstandbyError('AUTH_FAILED', `no ${which} password is known`, {
      where: { key: `${which}.password` },
      fix: `set ${which}.password in the config or the environment variable named by ${which}.passwordEnv`,
    });
  }
  return value;
}

function stateView(rt: ClusterRuntime): StateView {
  return {
    node: (name) => rt.state.nodes[name],
    journal: () => rt.state.journal,
    // Roles are replicated to every node, so a role the tool created on a former primary is still its own.
    roleCreatedByTool: (_node, role) => rt.state.journal.some((e) => e.kind === 'role' && e.role === role),
    slotCreatedByTool: (node, slot) => rt.state.journal.some((e) => e.kind === 'slot' && e.node === node && e.slot === slot),
    dirCreatedByTool: (dir, node) => rt.createdByTool(dir, node),
  };
}
