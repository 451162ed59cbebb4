import { HotstandbyError } from '../errors/hotstandby-error.js';
import { readControlFacts } from '../postgres/pg-control.js';
import type { PgNode, StopMode } from '../postgres/pg-node.js';
import { logSize } from '../postgres/server-log.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import { startOrder, stopOrder } from './node-order.js';
import { checkStandbyMarker, restoreStandbySignal } from './standby-marker.js';
import { checkStreamingAfterStart } from './standby-streaming.js';

// What start/stop did to one node.
export interface ControlResult {
  node: string;
  result: 'started' | 'stopped' | 'already running' | 'already stopped' | 'not created';
  // For a standby this command started that does not stream from its upstream: why, and what to do.
  notStreaming?: string;
}

// Start the named nodes (default all), the primary first, each standby after its upstream. A former primary
// waiting for rejoin is never started: that would make two primaries; nor is a standby without its standby
// marker (its standby.signal is put back first, or the start is refused before any node starts).
export async function startNodes(rt: ClusterRuntime, names: readonly string[] | undefined, log: (line: string) => void): Promise<ControlResult[]> {
  const wanted = pick(rt, names);
  for (const node of rt.detached) {
    if (names?.includes(node.name)) {
      throw new HotstandbyError('SPLIT_BRAIN_GUARD', `${node.name} was the primary before ${rt.primary.name} was promoted; starting it would make two primaries`, {
        where: { node: node.name },
        fix: `run "hotstandby rejoin ${node.name}" to turn it into a standby of ${rt.primary.name}`,
      });
    }
  }
  const order = startOrder(rt).filter((n) => wanted.has(n.name));
  const signalsToRestore = new Map<string, string>();
  for (const node of rt.standbys.filter((n) => wanted.has(n.name))) {
    if (await node.isRunning()) continue;
    const upstream = rt.spec.standbys.find((s) => s.name === node.name)?.upstream ?? rt.primary.name;
    const marker = await checkStandbyMarker(node, upstream);
    if (marker.kind === 'refused') throw marker.error;
    if (marker.kind === 'restorable') signalsToRestore.set(node.name, marker.file);
  }
  const results: ControlResult[] = [];
  for (const node of order) {
    if (!node.exists()) results.push({ node: node.name, result: 'not created' });
    else if (await node.isRunning()) results.push({ node: node.name, result: 'already running' });
    else {
      const signal = signalsToRestore.get(node.name);
      if (signal) {
        log(`${node.name} is a standby but its standby.signal was missing: restored ${signal} so it starts as a standby, not as a second primary`);
        await restoreStandbySignal(signal, rt.serverUser);
      }
      const unclean = await uncleanShutdownState(node);
      const logOffset = await logSize(node.logFile);
      log(`starting ${node.name} on port ${node.port}`);
      await node.start();
      if (unclean) log(`${node.name} was not shut down cleanly (state ${unclean}); PostgreSQL ran crash recovery`);
      const streaming = await checkStreamingAfterStart(rt, node, logOffset);
      if (!streaming.streaming && 'byDesign' in streaming) log(`${node.name} does not stream yet, by design: ${streaming.byDesign}`);
      results.push({ node: node.name, result: 'started', notStreaming: !streaming.streaming && 'problem' in streaming ? streaming.problem : undefined });
    }
  }
  return results;
}

// pg_control's state of a stopped node when it was not shut down cleanly (an immediate stop, a crash): PostgreSQL
// then runs crash recovery when it starts. Undefined after a clean shutdown, or when pg_control cannot be read.
async function uncleanShutdownState(node: PgNode): Promise<string | undefined> {
  const facts = await readControlFacts(node.dataDir).catch(() => undefined);
  if (!facts || facts.state === 'shut down' || facts.state === 'shut down in recovery') return undefined;
  return facts.state;
}

// Stop the named nodes (default all): the deepest standbys first, the primary last; each may take timeoutSec
// (a smart stop waits for clients to disconnect, and gives up then, without escalating).
export async function stopNodes(
  rt: ClusterRuntime,
  names: readonly string[] | undefined,
  mode: StopMode,
  log: (line: string) => void,
  timeoutSec?: number,
): Promise<ControlResult[]> {
  const wanted = pick(rt, names, true);
  const results: ControlResult[] = [];
  for (const node of [...stopOrder(rt), ...rt.detached].filter((n) => wanted.has(n.name))) {
    if (!(await node.isRunning())) {
      results.push({ node: node.name, result: node.exists() ? 'already stopped' : 'not created' });
      continue;
    }
    const warning = await synchronousWarning(rt, node, wanted);
    if (warning) log(`warning: ${warning}`);
    log(`stopping ${node.name} (${mode})`);
    await node.stop(mode, timeoutSec);
    results.push({ node: node.name, result: 'stopped' });
  }
  return results;
}

// Stopping a synchronous standby while the primary keeps running makes the primary's commits wait (S70).
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
