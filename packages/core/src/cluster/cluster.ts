import { existsSync } from 'node:fs';
import { depthOf, type ClusterSpec } from '../config/cluster-spec.js';
import type { PgNode } from '../postgres/pg-node.js';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import { Executor } from '../executor/executor.js';
import type { ProgressListener } from '../postgres/embedded/install-embedded.js';
import type { PipelineObserver } from '../pipeline/pipeline-events.js';
import type { PipelineStep, StepRecord } from '../pipeline/pipeline-step.js';
import type { Action } from '../executor/action.js';
import { runPipeline, type RendererChoice } from '../pipeline/run-pipeline.js';
import { RunLock } from '../state/run-lock.js';
import { ClusterRuntime } from './cluster-runtime.js';
import { collectStatus, type ClusterStatus } from './cluster-status.js';
import { corePreflight } from './core-preflight.js';
import { planStateDir } from './prepare-state-dir.js';
import { planPrimaryProvision } from './provision-primary.js';
import { recordNodes } from './record-nodes.js';
import { resolveSteps, type LoadedPlugin } from './resolve-steps.js';
import { StepContextFactory } from './step-context-factory.js';
import { teardown, type DownOptions, type DownResult } from './teardown.js';

// How a Cluster is built.
export interface ClusterOptions {
  plugins: readonly LoadedPlugin[];
  // Ordered step names from the config's pipeline (default: the built-in recipe).
  pipeline?: readonly string[];
  // Progress of a download of embedded binaries (a progress bar in the CLI).
  onDownloadProgress?: ProgressListener;
}

// How `up` runs.
export interface UpOptions {
  dryRun?: boolean;
  allowRestart?: boolean;
  renderer?: RendererChoice;
  observe?: PipelineObserver;
  // Where --dry-run plans and notices are printed.
  print?: (text: string) => void;
  signal?: AbortSignal;
}

// How runSteps and planSteps run.
export interface StepRunOptions {
  renderer?: RendererChoice;
  observe?: PipelineObserver;
  signal?: AbortSignal;
  allowRestart?: boolean;
  // Create missing state directories first (default yes; verify, which writes nothing there, says no).
  prepareStateDir?: boolean;
}

// One step's plan on one node.
export interface PlannedStep {
  step: string;
  node: string;
  actions: Action[];
  notes: string[];
  // The printable form (SQL, diffs, commands), as --dry-run shows it.
  lines: string[];
}

// What `up` did.
export interface UpResult {
  dryRun: boolean;
  changed: boolean;
  notices: string[];
  steps: StepRecord[];
  status?: ClusterStatus;
}

// A primary and its standbys, brought to what the config describes by a pipeline of steps.
export class Cluster {
  constructor(
    readonly spec: ClusterSpec,
    private readonly options: ClusterOptions,
  ) {}

  // Run the pipeline: afterwards every node exists, runs, and is verified. Idempotent; --dry-run changes nothing.
  async up(options: UpOptions = {}): Promise<UpResult> {
    const dryRun = options.dryRun ?? false;
    const print = options.print ?? ((t: string) => process.stdout.write(t + '\n'));
    const observe = options.observe ?? (() => undefined);
    const steps = resolveSteps(this.spec, this.options.plugins, this.options.pipeline);
    const lock = new RunLock(`${this.spec.stateDir}/lock`);
    if (!dryRun && existsSync(this.spec.stateDir)) await lock.acquire('up');
    const rt = await ClusterRuntime.open(this.spec, { purpose: 'up', dryRun, onDownloadProgress: this.options.onDownloadProgress });
    try {
      await corePreflight(rt);
      const signal = options.signal ?? new AbortController().signal;
      const executor = new Executor({
        node: (name) => rt.node(name),
        serverUser: rt.serverUser,
        state: rt.store,
        layout: rt.layout,
        progress: () => undefined,
        signal,
      });
      const contexts = new StepContextFactory(rt, executor, { dryRun, allowRestart: options.allowRestart ?? false, signal });
      const silent = { info: () => undefined, warn: () => undefined, debug: () => undefined };
      for (const step of steps) {
        const nodes = step.plugin.scope === 'standby' ? rt.standbys : [rt.primary];
        for (const node of nodes) await step.plugin.preflight?.(contexts.create(step, node, silent));
      }
      const bootstrap: Record<string, string> = {};
      for (const step of steps.filter((s) => s.plugin.scope === 'primary')) {
        Object.assign(bootstrap, step.plugin.bootstrapSettings?.(contexts.create(step, rt.primary, silent)) ?? {});
      }
      const provision = await planPrimaryProvision(rt, bootstrap, executor);
      const restart = provision.actions.find((a) => a.kind === 'node' && a.op === 'restart');
      if (restart && !options.allowRestart) {
        throw new HotstandbyError('RESTART_REQUIRED', `the primary must restart to apply ${(restart.kind === 'node' && restart.reasons?.join(', ')) || 'new settings'}`, {
          where: { node: rt.primary.name },
          fix: 'run again with --allow-restart',
        });
      }
      print(`PostgreSQL ${rt.binaries.version} from ${rt.binaries.binDir} (${rt.binaries.reason})`);
      for (const notice of rt.notices) {
        print(`notice: ${notice}`);
        observe({ type: 'notice', message: notice, at: new Date().toISOString() });
      }
      if (!dryRun) {
        await executor.makeDir(rt.layout.root, 0o755, 'invoker');
        await lock.acquire('up');
      }
      const stateDirActions = await planStateDir(rt);
      let changed = false;
      const printPlan = async (title: string, lines: string[]) => print([`── ${title}`, ...lines.map((l) => `   ${l}`)].join('\n'));
      const describeAll = async (actions: typeof stateDirActions) => (await Promise.all(actions.map((a) => executor.describe(a)))).flat();
      const records = await runPipeline({
        dryRun,
        renderer: options.renderer ?? 'auto',
        observe,
        printPlan,
        primary: rt.primary,
        standbyWaves: standbyWaves(rt),
        contextFor: (step, node, log) => contexts.create(step, node, log),
        steps,
        phases: [
          {
            title: `state directory ${rt.layout.root}`,
            run: async (_log, plan) => {
              if (plan) return void (await plan(`state directory ${rt.layout.root}`, stateDirActions.length ? await describeAll(stateDirActions) : ['nothing to do: already in place']));
              await executor.applyAll(stateDirActions);
              await recordNodes(rt, { primaryOnly: true });
              changed ||= stateDirActions.length > 0;
              return stateDirActions.length ? 'prepared' : 'already in place';
            },
          },
          {
            title: `primary ${rt.primary.name}`,
            run: async (log, plan) => {
              const lines = [...provision.notes.map((n) => `note: ${n}`), ...(await describeAll(provision.actions))];
              if (plan) return void (await plan(`primary ${rt.primary.name}`, lines.length ? lines : ['nothing to do: already running']));
              for (const note of provision.notes) log.info(note);
              await executor.applyAll(provision.actions);
              changed ||= provision.actions.length > 0;
              if (provision.creates) return `created PostgreSQL ${rt.binaries.version} on port ${rt.primary.port}`;
              return provision.actions.length ? `started on port ${rt.primary.port}` : `running on port ${rt.primary.port}`;
            },
          },
        ],
      });
      changed ||= records.some((r) => r.changed);
      if (dryRun) return { dryRun, changed, notices: rt.notices, steps: records };
      await recordNodes(rt, { primaryOnly: false });
      return { dryRun, changed, notices: rt.notices, steps: records, status: await collectStatus(rt) };
    } finally {
      await rt.close();
      await lock.release();
    }
  }

  // Every node's role, port, state, recovery, upstream and lag.
  async status(): Promise<ClusterStatus> {
    const rt = await ClusterRuntime.open(this.spec, { purpose: 'inspect', onDownloadProgress: this.options.onDownloadProgress });
    try {
      return await collectStatus(rt);
    } finally {
      await rt.close();
    }
  }

  // Run only the named steps (for example ["verify"]) against the cluster as it is.
  async runSteps(names: readonly string[], options: StepRunOptions = {}): Promise<StepRecord[]> {
    return this.withSteps(names, options, async ({ rt, steps, contexts, executor }) => {
      const silent = { info: () => undefined, warn: () => undefined, debug: () => undefined };
      if (!rt.primary.exists()) {
        throw new HotstandbyError('NOT_CREATED', `the primary ${rt.primary.name} does not exist yet (${rt.primary.dataDir})`, {
          where: { node: rt.primary.name },
          fix: 'run hotstandby up first',
        });
      }
      for (const step of steps) {
        for (const node of step.plugin.scope === 'standby' ? rt.standbys : [rt.primary]) await step.plugin.preflight?.(contexts.create(step, node, silent));
      }
      if (options.prepareStateDir ?? true) await executor.applyAll(await planStateDir(rt));
      return runPipeline({
        dryRun: false,
        renderer: options.renderer ?? 'auto',
        observe: options.observe ?? (() => undefined),
        printPlan: async () => undefined,
        primary: rt.primary,
        standbyWaves: standbyWaves(rt),
        contextFor: (step, node, log) => contexts.create(step, node, log),
        steps,
        phases: [],
      });
    });
  }

  // The recipe's checks on every standby (the verify step); its report is returned, and a failure throws
  // VERIFY_FAILED with the report in error.data.
  async verify(options: Omit<StepRunOptions, 'prepareStateDir' | 'allowRestart'> = {}): Promise<unknown> {
    const records = await this.runSteps(['verify'], { ...options, prepareStateDir: false });
    return records[0]?.data;
  }

  // What the named steps would do now, without doing it: actions, notes and their printable form.
  async planSteps(names: readonly string[], options: StepRunOptions = {}): Promise<PlannedStep[]> {
    return this.withSteps(names, options, async ({ rt, steps, contexts, executor }) => {
      const out: PlannedStep[] = [];
      const silent = { info: () => undefined, warn: () => undefined, debug: () => undefined };
      for (const step of steps) {
        for (const node of step.plugin.scope === 'standby' ? standbyWaves(rt).flat() : [rt.primary]) {
          const plan = await step.plugin.plan(contexts.create(step, node, silent));
          const lines = (await Promise.all(plan.actions.map((a) => executor.describe(a)))).flat();
          out.push({ step: step.plugin.name, node: node.name, actions: plan.actions, notes: plan.notes ?? [], lines });
        }
      }
      return out;
    });
  }

  private async withSteps<T>(
    names: readonly string[],
    options: StepRunOptions,
    fn: (env: { rt: ClusterRuntime; steps: PipelineStep[]; contexts: StepContextFactory; executor: Executor }) => Promise<T>,
  ): Promise<T> {
    const all = resolveSteps(this.spec, this.options.plugins, this.options.pipeline);
    const steps = names.map((name) => {
      const step = all.find((s) => s.plugin.name === name);
      if (!step) throw new HotstandbyError('PLUGIN_INVALID', `there is no step "${name}" in the pipeline`, { fix: `steps: ${all.map((s) => s.plugin.name).join(', ')}` });
      return step;
    });
    const rt = await ClusterRuntime.open(this.spec, { purpose: 'inspect', onDownloadProgress: this.options.onDownloadProgress });
    try {
      const signal = options.signal ?? new AbortController().signal;
      const executor = new Executor({ node: (n) => rt.node(n), serverUser: rt.serverUser, state: rt.store, layout: rt.layout, progress: () => undefined, signal });
      const contexts = new StepContextFactory(rt, executor, { dryRun: false, allowRestart: options.allowRestart ?? false, signal });
      return await fn({ rt, steps, contexts, executor });
    } finally {
      await rt.close();
    }
  }

  // Stop every node (standbys first); optionally delete what the tool created and undo what it changed.
  async down(options: DownOptions = {}): Promise<DownResult> {
    const lock = new RunLock(`${this.spec.stateDir}/lock`);
    if (existsSync(this.spec.stateDir)) await lock.acquire('down');
    try {
      const rt = await ClusterRuntime.open(this.spec, { purpose: 'inspect', onDownloadProgress: this.options.onDownloadProgress });
      try {
        return await teardown(rt, options);
      } finally {
        await rt.close();
      }
    } finally {
      await lock.release();
    }
  }
}

// The standbys grouped by depth in the replication tree (direct standbys first, then their cascaded ones).
function standbyWaves(rt: ClusterRuntime): PgNode[][] {
  const waves: PgNode[][] = [];
  for (const standby of rt.spec.standbys) {
    const depth = depthOf(rt.spec, standby);
    (waves[depth - 1] ??= []).push(rt.node(standby.name));
  }
  return waves.filter(Boolean);
}
