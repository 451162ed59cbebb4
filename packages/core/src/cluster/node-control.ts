import { HotstandbyError } from '../errors/hotstandby-error.js';
import type { Action } from '../executor/action.js';
import type { OperationPlan, PlanStep } from '../executor/operation-plan.js';
import { readControlFacts } from '../postgres/pg-control.js';
import type { PgNode, StopMode } from '../postgres/pg-node.js';
import { logSize } from '../postgres/server-log.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import { startOrder, stopOrder } from './node-order.js';
import { checkStandbyMarker } from './standby-marker.js';
import { checkStreamingAfterStart } from './standby-streaming.js';

// What start/stop did to one node.
export interface ControlResult {
  node: string;
  result: 'started' | 'stopped' | 'already running' | 'already stopped' | 'not created';
  // For a standby this command started that does not stream from its upstream: why, and what to do.
  notStreaming?: string;
}

// A start or stop planned with the results its actions fill in as they run.
export interface ControlPlan {
  plan: OperationPlan;
  results: ControlResult[];
}

// The start plan with the results its actions fill in; log gets what a start finds (crash recovery, not streaming).
export async function planNodeStart(
  rt: ClusterRuntime,
  names: readonly string[] | undefined,
  options: { stoppedBefore?: ReadonlySet<string>; log: (line: string) => void },
): Promise<ControlPlan> {
  const log = options.log;
  const wanted = pick(rt, names);
  for (const node of rt.detached) {
    if (names?.includes(node.name)) {
      throw new HotstandbyError('SPLIT_BRAIN_GUARD', `${node.name} was the primary before ${rt.primary.name} was promoted; starting it would make two primaries`, {
        where: { node: node.name },
        fix: `run "hotstandby rejoin ${node.name}" to turn it into a standby of ${rt.primary.name}`,
      });
    }
  }
  const running = async (node: PgNode) => !options.stoppedBefore?.has(node.name) && (await node.isRunning());
  const order = startOrder(rt).filter((n) => wanted.has(n.name));
  const signalsToRestore = new Map<string, string>();
  for (const node of rt.standbys.filter((n) => wanted.has(n.name))) {
    if (await running(node)) continue;
    const upstream = rt.spec.standbys.find((s) => s.name === node.name)?.upstream ?? rt.primary.name;
    const marker = await checkStandbyMarker(node, upstream);
    if (marker.kind === 'refused') throw marker.error;
    if (marker.kind === 'restorable') signalsToRestore.set(node.name, marker.file);
  }
  const results: ControlResult[] = [];
  const steps: PlanStep[] = [];
  for (const node of order) {
    if (!(await node.exists())) results.push({ node: node.name, result: 'not created' });
    else if (await running(node)) results.push({ node: node.name, result: 'already running' });
    else {
      const result: ControlResult = { node: node.name, result: 'started' };
      results.push(result);
      const actions: Action[] = [];
      const signal = signalsToRestore.get(node.name);
      if (signal) {
        actions.push({
          kind: 'write-file',
          node: node.name,
          path: signal,
          content: '',
          owner: 'server',
          mode: 0o600,
          summary: `${node.name} is a standby but its standby.signal was missing: restored ${signal} so it starts as a standby, not as a second primary`,
        });
      }
      let unclean: string | undefined;
      let logOffset = 0;
      actions.push(
        {
          kind: 'check',
          node: node.name,
          summary: `read how ${node.name} last shut down (pg_control) and where its log ends`,
          byHand: { text: `pg_controldata ${node.dataDir} shows its "Database cluster state"` },
          run: async () => {
            unclean = await uncleanShutdownState(node);
            logOffset = await logSize(node.logFile, node.machine);
          },
        },
        { kind: 'node', node: node.name, op: 'start', summary: `starting ${node.name} on port ${node.port}` },
      );
      const isStandby = rt.standbys.some((s) => s.name === node.name);
      actions.push({
        kind: 'task',
        changes: false,
        summary: isStandby ? `check that ${node.name} streams from its upstream` : `check that ${node.name} came up`,
        details: isStandby ? ['waits until pg_stat_wal_receiver says streaming, or names why not (upstream down, slot lost, passfile ignored)'] : [],
        byHand: isStandby ? { text: `psql -p ${node.port} -c "SELECT status FROM pg_stat_wal_receiver" says streaming` } : undefined,
        run: async () => {
          if (unclean) log(`${node.name} was not shut down cleanly (state ${unclean}); PostgreSQL ran crash recovery`);
          const streaming = await checkStreamingAfterStart(rt, node, logOffset);
          if (!streaming.streaming && 'byDesign' in streaming) log(`${node.name} does not stream yet, by design: ${streaming.byDesign}`);
          if (!streaming.streaming && 'problem' in streaming) result.notStreaming = streaming.problem;
        },
      });
      steps.push({ title: `start ${node.name}`, actions, check: `pg_ctl status -D ${node.dataDir} says the server is running` });
    }
  }
  return {
    plan: {
      command: `start${names?.length ? ` ${names.join(' ')}` : ''}`,
      purpose: 'Start the nodes: the primary first, each standby after its upstream.',
      checked: results.filter((r) => r.result !== 'started').map((r) => `${r.node}: ${r.result}`),
      steps,
    },
    results,
  };
}

// pg_control's state of a stopped node when it was not shut down cleanly (an immediate stop, a crash): PostgreSQL
// then runs crash recovery when it starts. Undefined after a clean shutdown, or when pg_control cannot be read.
async function uncleanShutdownState(node: PgNode): Promise<string | undefined> {
  const facts = await readControlFacts(node.dataDir, node.machine).catch(() => undefined);
  if (!facts || facts.state === 'shut down' || facts.state === 'shut down in recovery') return undefined;
  return facts.state;
}

// The stop plan with its results; warnings (a synchronous standby stopping) go into the plan's checked lines.
export async function planNodeStop(rt: ClusterRuntime, names: readonly string[] | undefined, mode: StopMode, timeoutSec?: number): Promise<ControlPlan & { warnings: string[] }> {
  const wanted = pick(rt, names, true);
  const results: ControlResult[] = [];
  const warnings: string[] = [];
  const steps: PlanStep[] = [];
  for (const node of [...stopOrder(rt), ...rt.detached].filter((n) => wanted.has(n.name))) {
    if (!(await node.isRunning())) {
      results.push({ node: node.name, result: (await node.exists()) ? 'already stopped' : 'not created' });
      continue;
    }
    const warning = await synchronousWarning(rt, node, wanted);
    if (warning) warnings.push(warning);
    steps.push({
      title: `stop ${node.name} (${mode})`,
      check: `pg_ctl status -D ${node.dataDir} says no server is running`,
      actions: [{ kind: 'node', node: node.name, op: 'stop', mode, timeoutSec, summary: `stopping ${node.name} (${mode})` }],
    });
    results.push({ node: node.name, result: 'stopped' });
  }
  return {
    plan: {
      command: `stop${names?.length ? ` ${names.join(' ')}` : ''}${mode === 'fast' ? '' : ` --mode ${mode}`}${timeoutSec ? ` --timeout ${timeoutSec}` : ''}`,
      purpose: 'Stop the nodes: the deepest standbys first, the primary last.',
      checked: [...results.map((r) => `${r.node}: ${r.result === 'stopped' ? 'running' : r.result}`), ...warnings.map((w) => `warning: ${w}`)],
      steps,
    },
    results,
    warnings,
  };
}

// Stopping a synchronous standby while the primary keeps running makes the primary's commits wait.
async function synchronousWarning(rt: ClusterRuntime, node: PgNode, stopping: ReadonlySet<string>): Promise<string | undefined> {
  const spec = rt.spec.standbys.find((s) => s.name === node.name);
  if (!spec?.synchronous || stopping.has(rt.primary.name)) return undefined;
  const sync = rt.spec.standbys.filter((s) => s.synchronous);
  const remaining = [];
  for (const s of sync) if (!stopping.has(s.name) && (await rt.node(s.name).isRunning())) remaining.push(s.name);
  if (remaining.length >= rt.spec.replication.synchronous.count) return undefined;
  return `${node.name} is a synchronous standby: until it runs again, commits on ${rt.primary.name} wait (synchronous_standby_names needs ${rt.spec.replication.synchronous.count})`;
}

function pick(rt: ClusterRuntime, names: readonly string[] | undefined, includeDetached = false): Set<string> {
  const known = [...rt.nodes, ...(includeDetached ? rt.detached : [])].map((n) => n.name);
  if (!names || names.length === 0) return new Set(known);
  for (const name of names) rt.node(name);
  return new Set(names);
}

// Restart's plan: the stop plan, then the start plan of the same nodes as if they were stopped.
export async function planRestart(rt: ClusterRuntime, names: readonly string[] | undefined, mode: StopMode, timeoutSec?: number): Promise<OperationPlan> {
  const stop = await planNodeStop(rt, names, mode, timeoutSec);
  const stopping = new Set(stop.results.filter((r) => r.result === 'stopped').map((r) => r.node));
  const start = await planNodeStart(rt, names, { stoppedBefore: stopping, log: () => undefined });
  return {
    command: `restart${stop.plan.command.slice('stop'.length)}`,
    purpose: 'Stop the nodes (the deepest standbys first), then start them (the primary first).',
    checked: [...stop.plan.checked],
    steps: [...stop.plan.steps, ...start.plan.steps],
  };
}
