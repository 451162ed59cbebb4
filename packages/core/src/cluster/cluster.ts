import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ClusterSpec } from '../config/cluster-spec.js';
import type { StopMode } from '../postgres/pg-node.js';
import type { StepRecord } from '../pipeline/pipeline-step.js';
import { RunLock } from '../state/run-lock.js';
import type { ClusterOptions, LifecycleOptions, PlannedStep, StepRunOptions, UpOptions, UpResult } from './cluster-options.js';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import { ClusterRuntime } from './cluster-runtime.js';
import type { UnlistedNodes } from './unlisted-nodes.js';
import { collectStatus, type ClusterStatus } from './cluster-status.js';
import { connectionEnv, type ConnectionEnv } from './connection-env.js';
import { driverSettings, type DriverFormat, type DriverSettingsByFormat } from './driver-settings.js';
import { planScriptFiles } from './control-scripts-plan.js';
import { startPlanned, stopPlanned } from './node-control-run.js';
import type { ControlResult } from './node-control.js';
import { applyOperation, operationExecutor } from './operation-executor.js';
import { planPromote } from './promote.js';
import { planRejoin } from './rejoin.js';
import { planAdoptTopology } from './adopt-topology.js';
import { addStandbyRequestOf, plannerOf, plansThePipeline, type PlanRequest } from './operation-planners.js';
import type { OperationPlan, PlanStep } from '../executor/operation-plan.js';
import type { Pipeline, PipelineRun } from './pipeline-step.js';
import { resolveSteps } from './resolve-steps.js';
import { runbookTargetOf } from './runbook-target-of.js';
import { applyPlan } from '../executor/apply-plan.js';
import { planStepLines, planView, type PlanView } from '../executor/plan-view.js';
import { maskSecrets } from '../secrets/secret-registry.js';
import type { Topology } from '../state/cluster-state.js';
import { renderShellRunbook } from '../runbook/render-sh.js';
import { renderCmdRunbook } from '../runbook/render-cmd.js';
import { renderMarkdownRunbook } from '../runbook/render-markdown.js';
import type { PromoteResult, RejoinResult, RemoveStandbyResult, SwitchoverResult } from './cluster-results.js';
import type { VerifyResult } from './verify-report.js';
import { runUp, type UpPlanning } from './run-up.js';
import { forgetAddedStandby, plannedStandbyAddition, recordAddedStandby, recordStandbyAddition, type AddStandbyRequest } from './standby-membership.js';
import type { AddedStandby } from '../state/cluster-state.js';
import { inspectDataDir } from '../postgres/data-dir.js';
import { MachinePool } from '../hosts/machine-pool.js';
import type { NodeHostSpec } from '../config/cluster-spec.js';
import { planSteps, runSteps } from './step-runner.js';
import { planSwitchover } from './switchover.js';
import { planTeardown, type DownOptions, type DownResult } from './teardown.js';
import { planLag, type LagChange } from './replay-lag.js';
import { planStandbyRemoval } from './remove-standby.js';
import { planRebuild } from './rebuild-standby.js';

// The forms a runbook is written in: Markdown for people, POSIX sh or Windows cmd to run.
export type RunbookFormat = 'md' | 'sh' | 'cmd';

// The nodes a command's plan covers: down also stops the nodes the state records but the config no longer names.
function plannedNodes(command: string): { unlisted?: UnlistedNodes } {
  return command === 'down' ? { unlisted: 'include' } : {};
}

// add-standby's first step: the new standby recorded in hotstandby's state (then up builds it).
function recordStep(rt: ClusterRuntime, added: AddedStandby): PlanStep {
  return {
    title: `record ${added.name} as a standby`,
    actions: [
      {
        kind: 'record',
        summary: `${added.name} is a standby of ${rt.spec.standbys.find((s) => s.name === added.name)?.upstream ?? rt.primary.name} on port ${rt.node(added.name).port}, its data directory ${added.dataDir}`,
        run: () => recordStandbyAddition(rt.store, added),
      },
    ],
  };
}

// A plan described for --dry-run only: its pipeline step is never applied.
const pipelineNotApplied: PipelineRun = async () => {
  throw new HotstandbyError('INTERNAL', 'a plan made for --dry-run or a runbook was applied');
};

export type { ClusterOptions, LifecycleOptions, PlannedStep, StepRunOptions, UpOptions, UpResult } from './cluster-options.js';

// A primary and its standbys, brought to what the config describes by a pipeline of steps; and the lifecycle
// around it: start, stop, add and remove standbys, promote, rejoin, switchover.
export class Cluster {
  private readonly lock: RunLock;

  constructor(
    readonly spec: ClusterSpec,
    private readonly options: ClusterOptions,
  ) {
    this.lock = new RunLock(path.join(spec.stateDir, 'lock'));
  }

  // Run the pipeline: afterwards every node exists, runs, and is verified. Idempotent; --dry-run changes nothing.
  async up(options: UpOptions = {}): Promise<UpResult> {
    return runUp(this.spec, this.options, this.lock, options);
  }

  // Every node's role, port, state, recovery, upstream and lag.
  async status(): Promise<ClusterStatus> {
    return this.inspect((rt) => collectStatus(rt));
  }

  // Run only the named steps (for example ["verify"]) against the cluster as it is.
  async runSteps(names: readonly string[], options: StepRunOptions = {}): Promise<StepRecord[]> {
    return runSteps(this.spec, this.options, names, options);
  }

  // What the named steps would do now, without doing it: actions, notes and their printable form.
  async planSteps(names: readonly string[], options: StepRunOptions = {}): Promise<PlannedStep[]> {
    return planSteps(this.spec, this.options, names, options);
  }

  // The recipe's checks on every standby (the verify step); its report is returned (for a replacement step that
  // returns none, { ok: true, summary }), and a failure throws VERIFY_FAILED with the report in error.data.
  async verify(options: Omit<StepRunOptions, 'prepareStateDir' | 'allowRestart'> = {}): Promise<VerifyResult> {
    await this.refuseSecondPrimary();
    const records = await this.runSteps(['verify'], { ...options, prepareStateDir: false });
    // A replacement verify step may return no report: then its summary is the report.
    return (records[0]?.data as VerifyResult | undefined) ?? { ok: true, summary: records[0]?.summary };
  }

  // A former primary someone started by hand beside the new one: the cluster is not verified, whatever the
  // standbys say, since writes may go to both.
  private async refuseSecondPrimary(): Promise<void> {
    await this.inspect(async (rt) => {
      const second = [];
      for (const node of rt.detached) if ((await node.isRunning()) && !(await node.isInRecovery().catch(() => true))) second.push(node.name);
      if (second.length === 0) return;
      const name = second[0]!;
      throw new HotstandbyError('SPLIT_BRAIN_GUARD', `${second.join(', ')} runs as a second primary beside ${rt.primary.name}: writes may be going to both`, {
        where: { node: name },
        fix: `stop it (hotstandby stop ${name}), then hotstandby rejoin ${name}; rows written on it after the promotion are not on ${rt.primary.name}`,
      });
    });
  }

  // Start nodes (default all): the primary first, each standby after its upstream.
  async start(names?: readonly string[], options: LifecycleOptions = {}): Promise<ControlResult[]> {
    return this.locked('start', (rt) => startPlanned(rt, names, options.log ?? (() => undefined)));
  }

  // Stop nodes (default all): the deepest standbys first, the primary last.
  async stop(names?: readonly string[], options: LifecycleOptions & { mode?: StopMode; timeoutSec?: number } = {}): Promise<ControlResult[]> {
    return this.locked('stop', (rt) => stopPlanned(rt, names, options.mode ?? 'fast', options.log ?? (() => undefined), options.timeoutSec));
  }

  // Stop, then start again, in the same orders.
  async restart(names?: readonly string[], options: LifecycleOptions & { mode?: StopMode; timeoutSec?: number } = {}): Promise<ControlResult[]> {
    return this.locked('restart', async (rt) => {
      const log = options.log ?? (() => undefined);
      await stopPlanned(rt, names, options.mode ?? 'fast', log, options.timeoutSec);
      return startPlanned(rt, names, log);
    });
  }

  // Add a standby to the running cluster (remembered in the state) and build, start and verify it.
  // With dryRun: up's dry run of the cluster with the standby in it; nothing is recorded.
  async addStandby(request: AddStandbyRequest, options: UpOptions = {}): Promise<UpResult> {
    if (options.dryRun) {
      const { topology } = await this.inspect((rt) => plannedStandbyAddition(rt, request));
      return runUp(this.spec, this.options, this.lock, options, { topology });
    }
    return this.locked('add-standby', async (rt) => {
      const added = await recordAddedStandby(rt, request);
      const primarySystemId = rt.primaryInfo.systemIdentifier;
      await rt.close();
      try {
        return await this.up(options);
      } catch (error) {
        // Nothing was built for it (no directory, or one that does not hold a copy of this primary: a refused
        // directory of the user's, an empty one): forget it again, so the cluster is as it was and `up` works.
        // A copy that was made stays recorded, so the next `up` finishes it.
        const copied = await holdsCopyOf(added, primarySystemId);
        if (!copied) await forgetAddedStandby(rt, added.name);
        throw error;
      }
    });
  }

  // Take a standby out: out of synchronous_standby_names first, then stopped, its slot dropped, and its data
  // directory deleted only with purge and only if the tool made it. The last one takes hotstandby's replication
  // rule out of the primary's pg_hba.conf.
  async removeStandby(name: string, options: LifecycleOptions & { purge?: boolean } = {}): Promise<RemoveStandbyResult> {
    return this.locked('remove-standby', async (rt) => {
      const log = options.log ?? (() => undefined);
      const applyWalConfig = async () => void (await this.runSteps(['wal-config'], { renderer: 'silent', unlisted: 'include' }));
      const { plan, deleted, kept } = await planStandbyRemoval(rt, name, { purge: options.purge ?? false, applyWalConfig });
      await applyOperation(rt, plan, log);
      return { deleted, kept };
    });
  }

  // Build a standby again from a fresh base backup (its slot lost, its data diverged): its copy is discarded
  // (only a data directory the tool made), its slot dropped, and up takes a new base backup and verifies.
  async rebuildStandby(name: string, options: UpOptions & LifecycleOptions = {}): Promise<UpResult> {
    return this.locked('rebuild', async (rt) => {
      const log = options.log ?? (() => undefined);
      const plan = await planRebuild(rt, name);
      for (const note of plan.checked.filter((c) => c.startsWith('note: '))) log(note);
      await applyOperation(rt, plan, log, options.signal);
      await rt.close();
      return this.up(options);
    });
  }

  // Promote a standby (refused while the primary runs, unless force stops it first); the other standbys then
  // follow the new primary, and everything is verified.
  async promote(name: string, options: UpOptions & LifecycleOptions & { force?: boolean } = {}): Promise<PromoteResult> {
    return this.locked('promote', async (rt) => {
      const log = options.log ?? (() => undefined);
      const pipeline = this.pipelineAfter(rt, options);
      const { plan, oldPrimary, preview } = await planPromote(rt, name, { force: options.force, pipeline });
      for (const line of preview) log(line);
      await applyPlan(operationExecutor(rt, undefined, options.signal), plan, log);
      return { oldPrimary, up: pipeline.result() };
    });
  }

  // Turn the former primary into a standby of the new one (follow, pg_rewind, or a fresh base backup).
  async rejoin(name: string, options: UpOptions & LifecycleOptions = {}): Promise<RejoinResult> {
    return this.locked('rejoin', async (rt) => {
      const pipeline = this.pipelineAfter(rt, options);
      const { plan, outcome } = await planRejoin(rt, name, pipeline);
      await applyPlan(operationExecutor(rt, undefined, options.signal), plan, options.log ?? (() => undefined));
      return { ...outcome(), up: pipeline.result() };
    });
  }

  // The planned swap with nothing lost: the primary stops cleanly, the standby catches up and is promoted,
  // and the old primary follows it as a standby.
  async switchover(name: string, options: UpOptions & LifecycleOptions = {}): Promise<SwitchoverResult> {
    return this.locked('switchover', async (rt) => {
      const pipeline = this.pipelineAfter(rt, options);
      const { plan, oldPrimary, method } = await planSwitchover(rt, name, { pipeline });
      await applyPlan(operationExecutor(rt, undefined, options.signal), plan, options.log ?? (() => undefined));
      return { oldPrimary, method, up: pipeline.result() };
    });
  }

  // Record which node is the primary now, as the servers say (after a runbook was followed by hand).
  async adoptTopology(options: LifecycleOptions = {}): Promise<PlanView> {
    return this.locked('adopt-topology', async (rt) => {
      const plan = await planAdoptTopology(rt);
      const executor = operationExecutor(rt);
      const view = await planView(executor, plan);
      await applyPlan(executor, plan, options.log ?? (() => undefined));
      return view;
    });
  }

  // What a command would do, planned from the cluster as it is (the same plan the command applies), described
  // for --dry-run and --json. Changes nothing and takes no lock.
  async describePlan(command: string, request: PlanRequest): Promise<PlanView> {
    return this.withPlan(command, request, (plan, rt) => planView(operationExecutor(rt), plan));
  }

  // A command's plan as a runbook a DBA can follow by hand: Markdown, or a POSIX sh or Windows cmd script.
  async runbook(command: string, request: PlanRequest, options: { format: RunbookFormat; generatedBy: string }): Promise<string> {
    return this.withPlan(command, request, async (plan, rt) => {
      const target = runbookTargetOf(rt);
      if (options.format === 'sh') return renderShellRunbook(plan, target, options.generatedBy);
      if (options.format === 'cmd') return renderCmdRunbook(plan, target, options.generatedBy);
      const executor = operationExecutor(rt);
      return renderMarkdownRunbook(plan, target, { generatedBy: options.generatedBy, describe: (a) => executor.describe(a) });
    });
  }

  // A command's plan, made from the cluster as it is and handed to use while the runtime it was made with is open.
  // up and add-standby are planned by up's dry run (add-standby's with the standby in the cluster); nothing is
  // recorded or changed.
  private async withPlan<T>(command: string, request: PlanRequest, use: (plan: OperationPlan, rt: ClusterRuntime) => Promise<T>): Promise<T> {
    if (!plansThePipeline(command)) {
      const pipeline: Pipeline = { ...this.pipeline(pipelineNotApplied), preview: (topology, writes) => this.previewPipeline(topology, writes) };
      return this.inspect(async (rt) => use(await plannerOf(command)(rt, request, pipeline), rt), plannedNodes(command));
    }
    if (command === 'up') return this.upPlan(undefined, use);
    const add = addStandbyRequestOf(request);
    const { added, topology } = await this.inspect((rt) => plannedStandbyAddition(rt, add));
    return this.upPlan({ topology }, (plan, rt) =>
      use(
        {
          ...plan,
          command: ['add-standby', ...request.args].join(' '),
          purpose: `Add the standby ${add.name} to the running cluster, build, start and verify it (hotstandby records it in its state).`,
          steps: [recordStep(rt, added), ...plan.steps],
        },
        rt,
      ),
    );
  }

  // up's plan made by its dry run (against the topology given, when one is), handed to use while the runtime it was
  // made with is open. Nothing is recorded or changed.
  private async upPlan<T>(planning: Omit<UpPlanning, 'use'> | undefined, use: (plan: OperationPlan, rt: ClusterRuntime) => Promise<T>): Promise<T> {
    let result: { value: T } | undefined;
    await runUp(
      this.spec,
      this.options,
      this.lock,
      { dryRun: true, renderer: 'silent', print: () => undefined },
      { ...planning, use: async (plan, rt) => void (result = { value: await use(plan, rt) }) },
    );
    if (!result) throw new HotstandbyError('INTERNAL', 'the dry run of up made no plan');
    return result.value;
  }

  // What up's pipeline plans now against a topology a failover will leave (nothing applied): each step with something
  // to do, then its lines; or why it cannot be planned before the failover's earlier steps ran.
  private async previewPipeline(topology: Topology, plannedWrites: ReadonlySet<string>): Promise<string[]> {
    let lines: string[];
    try {
      lines = await this.upPlan({ topology, afterEarlierSteps: true, plannedWrites }, async (plan, rt) =>
        (await planView(operationExecutor(rt), plan)).steps.flatMap((step) => {
          const body = planStepLines(step);
          return body.length ? [`${step.title}:`, ...body.map((l) => `  ${l}`)] : [];
        }),
      );
    } catch (error) {
      return [`it cannot be planned before the steps above ran (${maskSecrets(error instanceof Error ? error.message.split('\n')[0]! : String(error))}); it plans when it runs`];
    }
    return lines.length ? lines : ['nothing to do'];
  }

  // The pipeline's steps (as up runs them) with how to run them.
  private pipeline(run: PipelineRun): Pipeline {
    const steps = resolveSteps(this.spec, this.options.plugins, this.options.pipeline).map((s) => ({ name: s.plugin.name, scope: s.plugin.scope }));
    return { run, steps };
  }

  // The last step of promote, switchover and rejoin: up, once the plan before it changed the topology.
  private pipelineAfter(rt: ClusterRuntime, options: UpOptions): Pipeline & { result(): UpResult } {
    let up: UpResult | undefined;
    return {
      steps: this.pipeline(pipelineNotApplied).steps,
      run: async () => {
        await rt.close();
        up = await this.up(options);
      },
      result: () => {
        if (!up) throw new HotstandbyError('INTERNAL', 'the plan ended without running the pipeline');
        return up;
      },
    };
  }

  // Write start and stop scripts for every node and for all of them (POSIX sh and Windows .cmd).
  // A script already as wanted is left alone.
  // Nodes on other hosts get theirs written there, in options.hostDir (an absolute path on each host) or beside the data
  // directory.
  async scripts(outDir: string, options: { hostDir?: string } = {}): Promise<string[]> {
    // Locked: what the executor writes is journaled in the state.
    return this.locked('scripts', async (rt) => {
      const { plan, files } = await planScriptFiles(rt, outDir, options.hostDir);
      await applyOperation(rt, plan, () => undefined);
      return files;
    });
  }

  // A replication fault on a standby, for testing applications: pause or resume its replay, or delay it.
  async lag(name: string, change: LagChange, options: LifecycleOptions = {}): Promise<PlanView> {
    return this.locked('lag', async (rt) => {
      const plan = await planLag(rt, name, change);
      const executor = operationExecutor(rt);
      const view = await planView(executor, plan);
      await applyPlan(executor, plan, options.log ?? (() => undefined));
      return view;
    });
  }

  // Connection URLs for applications (no passwords): per node, read-write and read-only multi-host URLs.
  async env(database?: string): Promise<ConnectionEnv> {
    return this.inspect(async (rt) => connectionEnv(rt, database));
  }

  // Connection settings for one client library (node-postgres, postgres.js, Prisma, …). The superuser password
  // is in them only with showPassword; without it, the driver reads env's passfile at run time.
  async driverSettings<F extends DriverFormat>(format: F, options: { database?: string; showPassword?: boolean } = {}): Promise<DriverSettingsByFormat[F]> {
    return this.inspect(async (rt) => driverSettings(connectionEnv(rt, options.database), format, options.showPassword ? rt.passwords.superuser?.value : undefined));
  }

  // Stop every node (standbys first); optionally delete what the tool created and undo what it changed.
  async down(options: DownOptions = {}): Promise<DownResult> {
    return this.locked(
      'down',
      async (rt) => {
        const { plan, result } = await planTeardown(rt, options);
        for (const note of plan.checked) options.log?.(note);
        await applyOperation(rt, plan, options.log ?? (() => undefined));
        return result;
      },
      { unlisted: 'include' },
    );
  }

  private async inspect<T>(fn: (rt: ClusterRuntime) => Promise<T>, open: { unlisted?: UnlistedNodes } = {}): Promise<T> {
    const rt = await ClusterRuntime.open(this.spec, { purpose: 'inspect', onDownloadProgress: this.options.onDownloadProgress, ...open });
    try {
      return await fn(rt);
    } finally {
      await rt.close();
    }
  }

  private async locked<T>(command: string, fn: (rt: ClusterRuntime) => Promise<T>, open: { unlisted?: UnlistedNodes } = {}): Promise<T> {
    if (existsSync(this.spec.stateDir)) await this.lock.acquire(command);
    try {
      return await this.inspect(fn, open);
    } finally {
      await this.lock.release();
    }
  }
}

// Whether an added standby's data directory (on its own machine) holds a copy of the primary; when its host cannot
// be asked, it is taken to hold one, so the standby stays recorded and the next up looks again.
async function holdsCopyOf(added: { dataDir: string; host?: NodeHostSpec }, primarySystemId: string | undefined): Promise<boolean> {
  if (primarySystemId === undefined) return false;
  const pool = new MachinePool();
  try {
    const info = await inspectDataDir(added.dataDir, await pool.machineOf(added.host));
    return info.kind === 'cluster' && info.systemIdentifier === primarySystemId;
  } catch {
    return added.host !== undefined;
  } finally {
    await pool.close();
  }
}
