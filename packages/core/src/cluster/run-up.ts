import { timed } from '../util/timings.js';
import { existsSync } from 'node:fs';
import type { ClusterSpec } from '../config/cluster-spec.js';
import type { OperationPlan, PlanStep } from '../executor/operation-plan.js';
import { planStepLines, planStepView } from '../executor/plan-view.js';
import { runPipeline } from '../pipeline/run-pipeline.js';
import { safeObserver } from '../pipeline/safe-observer.js';
import { runPreflights } from '../pipeline/run-preflights.js';
import { SILENT_LOGGER } from '../plugin/silent-logger.js';
import type { RunLock } from '../state/run-lock.js';
import type { Topology } from '../state/cluster-state.js';
import type { ClusterOptions, UpOptions, UpResult } from './cluster-options.js';
import { ClusterRuntime } from './cluster-runtime.js';
import { standbysTakingColdCopy } from './cold-copy.js';
import { localDataDirs, removeColdCopies } from './cold-copy-places.js';
import { collectStatus } from './cluster-status.js';
import { corePreflight } from './core-preflight.js';
import { planStateDir } from './prepare-state-dir.js';
import { planPrimaryProvision } from './provision-primary.js';
import { recordNodes } from './record-nodes.js';
import { resolveSteps } from './resolve-steps.js';
import { standbyWaves } from './standby-waves.js';
import { synchronousShortfall } from './synchronous-shortfall.js';
import { restartRequired } from '../errors/error-factories.js';
import { pipelineRig } from './operation-executor.js';

// What `up` achieves, as its plan says.
const UP_PURPOSE = 'Create or adopt the primary, build every standby, start everything and verify it.';

// What a caller of up's dry run wants from it: its whole plan, handed to use while the runtime is still open (for
// --json and runbooks), planned against the recorded topology or the one given (add-standby's with the standby
// recorded; a failover's as its earlier steps leave it).
export interface UpPlanning {
  use?(plan: OperationPlan, rt: ClusterRuntime): Promise<void>;
  topology?: Topology;
  // The topology is one that earlier steps of a plan will leave: preflights are skipped (they judge the servers as
  // they are before those steps), and a step that cannot be planned yet says why instead of failing.
  afterEarlierSteps?: boolean;
  // With afterEarlierSteps: the files those steps write (absolute paths), which steps may count on (plannedWrite).
  plannedWrites?: ReadonlySet<string>;
}

// `up`: preflight everything (nothing changes on bad input), prepare the state directory, create or start the
// primary, then run the pipeline; afterwards every node exists, runs and is verified. Idempotent.
// A dry run hands its plan to planning.use (one titled step per phase and per step and node, in order).
export async function runUp(spec: ClusterSpec, clusterOptions: ClusterOptions, lock: RunLock, options: UpOptions, planning?: UpPlanning): Promise<UpResult> {
  const dryRun = options.dryRun ?? false;
  // Library callers that ask for silence get none of it on stdout either (the binaries line, notices, plans).
  const print = options.print ?? (options.renderer === 'silent' ? () => undefined : (t: string) => void process.stdout.write(t + '\n'));
  // The caller's observer sees frozen copies and cannot break the run (notices below, steps in runPipeline).
  const observe = safeObserver([options.observe && { label: 'the caller', observe: options.observe }]);
  const steps = resolveSteps(spec, clusterOptions.plugins, clusterOptions.pipeline);
  if (!dryRun && existsSync(spec.stateDir)) await lock.acquire('up');
  const rt = await timed('runtime open', () =>
    ClusterRuntime.open(spec, { purpose: 'up', dryRun, onDownloadProgress: clusterOptions.onDownloadProgress, topology: dryRun ? planning?.topology : undefined }),
  );
  const future = dryRun && planning?.afterEarlierSteps === true;
  try {
    for (const leftover of lock.endedLeftovers) rt.notices.push(`ended ${leftover}, which a killed hotstandby command had left running`);
    if (!future) await timed('core preflight', () => corePreflight(rt));
    const { executor, contexts } = pipelineRig(rt, {
      dryRun,
      allowRestart: options.allowRestart ?? false,
      signal: options.signal,
      plannedWrites: future ? planning?.plannedWrites : undefined,
    });
    if (!future)
      await timed('step preflights', () =>
        runPreflights(
          steps,
          (step) => (step.plugin.scope === 'standby' ? rt.standbys : [rt.primary]),
          (step, node) => contexts.create(step, node, SILENT_LOGGER),
          options.observe,
        ),
      );
    const bootstrap: Record<string, string> = {};
    for (const step of steps.filter((s) => s.plugin.scope === 'primary')) {
      Object.assign(bootstrap, (await step.plugin.bootstrapSettings?.(contexts.create(step, rt.primary, SILENT_LOGGER))) ?? {});
    }
    const provision = await timed('provision plan', () =>
      planPrimaryProvision(rt, bootstrap, executor, {
        templateCache: options.templateCache,
        coldCopyFor: () =>
          standbysTakingColdCopy(
            rt.primary,
            rt.standbys.map((node) => ({ node, upstream: rt.spec.standbys.find((s) => s.name === node.name)?.upstream })),
            steps,
            (step, node) => contexts.create(step, node, SILENT_LOGGER),
          ),
      }),
    );
    const restart = provision.actions.find((a) => a.kind === 'node' && a.op === 'restart');
    if (restart && !options.allowRestart && !future) {
      throw restartRequired(rt.primary.name, restart.kind === 'node' ? (restart.reasons ?? []) : []);
    }
    const binariesLine = `PostgreSQL ${rt.binaries.version} from ${rt.binaries.binDir} (${rt.binaries.reason})`;
    print(binariesLine);
    for (const notice of rt.notices) {
      print(`notice: ${notice}`);
      observe({ type: 'notice', message: notice, at: new Date().toISOString() });
    }
    const warnings = [synchronousShortfall(rt.configSpec, rt.spec)].filter((w): w is string => w !== undefined);
    for (const warning of warnings) {
      print(`warning: ${warning}`);
      observe({ type: 'notice', message: `warning: ${warning}`, at: new Date().toISOString() });
    }
    if (!dryRun && !lock.isHeld) {
      await executor.makeDir(rt.layout.root, 0o755, 'invoker');
      await lock.acquire('up');
    }
    const { actions: stateDirActions, notes: stateDirNotes } = await planStateDir(rt);
    let changed = false;
    const planned: PlanStep[] = [];
    const printPlan = async (step: PlanStep) => {
      planned.push(step);
      const lines = planStepLines(await planStepView(executor, step));
      print([`── ${step.title}`, ...(lines.length ? lines : ['nothing to do: already in place']).map((l) => `   ${l}`)].join('\n'));
    };
    const records = await runPipeline({
      dryRun,
      renderer: options.renderer ?? 'auto',
      observe,
      planned: printPlan,
      lenient: future,
      primary: rt.primary,
      standbyWaves: standbyWaves(rt),
      contextFor: (step, node, log) => contexts.create(step, node, log),
      steps,
      phases: [
        {
          title: `state directory ${rt.layout.root}`,
          run: async (_log, plan) => {
            if (plan) return void (await plan({ title: `state directory ${rt.layout.root}`, actions: stateDirActions, notes: stateDirActions.length ? stateDirNotes : [] }));
            await executor.applyAll(stateDirActions);
            await recordNodes(rt, { primaryOnly: true });
            changed ||= stateDirActions.length > 0;
            if (!stateDirActions.length) return 'already in place';
            return stateDirNotes.length ? `prepared; ${stateDirNotes.join('; ')}` : 'prepared';
          },
        },
        {
          title: `primary ${rt.primary.name}`,
          run: async (log, plan) => {
            if (plan) return void (await plan({ title: `primary ${rt.primary.name}`, actions: provision.actions, notes: provision.notes }));
            for (const note of provision.notes) log.info(note);
            await executor.applyAll(provision.actions);
            for (const message of provision.messages) log.info(message);
            changed ||= provision.actions.length > 0;
            if (provision.creates) return `created PostgreSQL ${rt.binaries.version} on port ${rt.primary.port}`;
            return provision.actions.length ? `started on port ${rt.primary.port}` : `running on port ${rt.primary.port}`;
          },
        },
      ],
    });
    changed ||= records.some((r) => r.changed);
    if (dryRun) {
      const checked = [binariesLine, ...rt.notices, ...warnings.map((w) => `warning: ${w}`)];
      await planning?.use?.({ command: 'up', purpose: UP_PURPOSE, checked, steps: planned }, rt);
      return { dryRun, changed, notices: rt.notices, warnings, steps: records };
    }
    await recordNodes(rt, { primaryOnly: false });
    return { dryRun, changed, notices: rt.notices, warnings, steps: records, status: await collectStatus(rt) };
  } finally {
    try {
      // The cold copies served this run's standbys (and ones a killed run left are of no use to anyone). What cannot
      // be removed is said, without taking the place of the run's own outcome.
      if (!dryRun && lock.isHeld) for (const left of await removeColdCopies(rt.layout.runDir, localDataDirs(rt.standbys))) print(`warning: could not remove the cold copy ${left}`);
    } finally {
      await rt.close();
      await lock.release();
    }
  }
}
