import type { NodeRole, NodeSpec } from '../config/cluster-spec.js';
import { isHotstandbyError } from '../errors/hotstandby-error.js';
import { activeApplyDelay } from '../postgres/apply-delay.js';
import { lsnDiff } from '../postgres/lsn.js';
import { sqlStateOf, type PgNode } from '../postgres/pg-node.js';
import { lostSlotMessage } from '../postgres/replication-slots.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import { walHealthWarnings } from './wal-health.js';
import { logTail } from '../postgres/server-log.js';
import { disconnectedSince, silentSince } from './upstream-contact.js';
import { isUnreachable, type UnreachableMachine } from '../hosts/unreachable-machine.js';
import { unreachableState } from '../hosts/unreachable-reason.js';
import { nodeUrl } from './connection-env.js';
import { LOOPBACK_ADDRESS, onSameMachine } from '../hosts/node-address.js';

// One node as `status` reports it.
export interface NodeStatus {
  name: string;
  role: NodeRole;
  port: number;
  dataDir: string;
  // Short state for people: streaming, running, not streaming, stopped, not created; for a node whose host could not
  // be reached, "unreachable: <host>: <why>".
  state: string;
  // The host the node lives on ("root@db2"), or null on this machine.
  host: string | null;
  // False when the node's host could not be reached over SSH (then nothing else about it is known).
  hostReachable: boolean;
  running: boolean;
  pid: number | null;
  inRecovery: boolean | null;
  upstream: string | null;
  // How far the node's replayed WAL is behind the primary's (for a cascaded standby too), and the replay lag
  // its upstream's walsender measures.
  replayLagBytes: number | null;
  replayLagSeconds: number | null;
  // The standby's physical slot, and whether it is in use, on the node holding it: its upstream.
  slot: string | null;
  slotActive: boolean | null;
  // The slot's pg_replication_slots.wal_status on that node (13+): reserved, extended, unreserved or lost.
  slotWalStatus: string | null;
  timeline: number | null;
  url: string;
  adopted: boolean;
  createdByTool: boolean;
  // Synchronous standby / apply delay (configured, or in effect on the running standby) / a former primary
  // waiting for rejoin.
  synchronous: boolean;
  applyDelay: string | null;
  formerPrimary: boolean;
  // A running standby that is not streaming (or hears nothing): since when, as its log or walreceiver says.
  disconnectedSince: string | null;
  // What the user must act on, each with its fix (a lost slot ...).
  warnings: string[];
  error?: string;
}

// The whole cluster as `status` reports it.
export interface ClusterStatus {
  stateDir: string;
  postgres: { version: string; binDir: string; source: string };
  osUser: string;
  nodes: NodeStatus[];
}

// A walsender on some node: the standby streaming from it (by application_name) and what it has replayed.
interface ReplicationRow {
  application_name: string;
  state: string;
  replay_lsn: string | null;
  replay_lag_seconds: number | null;
}

// What one running node knows of the standbys streaming from it: its walsenders and its physical slots. A
// cascaded standby's walsender and slot live on its upstream standby, so every running node is asked, not only
// the primary.
interface SenderView {
  replication: ReplicationRow[];
  slots: { slot_name: string; active: boolean; wal_status: string | null }[];
}

// Everything nodeStatus needs from other nodes: each running node's sender view, the primary's WAL position.
interface ClusterView {
  senders: Map<string, SenderView>;
  primaryLsn: string | null;
}

// Read every node's state; nodes that are down or unreachable are reported, never fatal.
export async function collectStatus(rt: ClusterRuntime): Promise<ClusterStatus> {
  const primary = rt.primary;
  const view: ClusterView = { senders: new Map(), primaryLsn: null };
  const errors = new Map<string, string>();
  // Each node's postmaster once (a look on its host), for every node at once.
  const pids = new Map(
    await Promise.all([...rt.nodes, ...rt.detached].map(async (node) => [node.name, isUnreachable(node.machine) ? null : ((await node.pid()) ?? null)] as const)),
  );
  // Every running node is asked at once: each query waits on its own server, not on the others.
  await Promise.all(
    rt.nodes.map(async (node) => {
      if (pids.get(node.name) === null) return;
      try {
        view.senders.set(node.name, await senderView(node));
      } catch (error) {
        // The node's own queries fail too and say so; only the primary's failure is reported as it was found.
        if (node === primary) errors.set(primary.name, (error as Error).message);
      }
    }),
  );
  // Read after every walsender, so a lag measured against it is never less than it was.
  if (view.senders.has(primary.name)) {
    view.primaryLsn = await primary.lsn('write').catch((error: Error) => {
      errors.set(primary.name, error.message);
      return null;
    });
  }
  const nodes: NodeStatus[] = await Promise.all(rt.nodes.map((node) => nodeStatus(rt, node, view, pids.get(node.name)!, errors.get(node.name))));
  const detached = await Promise.all(rt.detached.map((node) => nodeStatus(rt, node, view, pids.get(node.name)!)));
  for (const [i, node] of rt.detached.entries()) {
    const status = detached[i]!;
    status.role = 'standby';
    status.upstream = null;
    if (status.hostReachable) status.state = status.running ? 'RUNNING AS A SECOND PRIMARY: stop it, then rejoin' : `former primary: run hotstandby rejoin ${node.name}`;
    status.formerPrimary = true;
    nodes.push(status);
  }
  return {
    stateDir: rt.layout.root,
    postgres: { version: rt.binaries.version, binDir: rt.binaries.binDir, source: rt.binaries.reason },
    osUser: rt.serverUser.name,
    nodes,
  };
}

// The walsenders and physical slots of one running node (primary or standby).
async function senderView(node: PgNode): Promise<SenderView> {
  const facts = node.facts;
  const replication = await node.query<ReplicationRow>(
    `SELECT application_name, state, ${facts.statReplication.replay}::text AS replay_lsn, ` +
      `${facts.statReplication.hasLagTimes ? 'EXTRACT(EPOCH FROM replay_lag)::float8' : 'NULL::float8'} AS replay_lag_seconds FROM pg_stat_replication`,
  );
  const walStatus = facts.slotWalStatus ? 'wal_status' : 'NULL::text AS wal_status';
  const slots = facts.slots
    ? await node.query<{ slot_name: string; active: boolean; wal_status: string | null }>(`SELECT slot_name, active, ${walStatus} FROM pg_replication_slots WHERE slot_type = $1`, [
        'physical',
      ])
    : [];
  return { replication, slots };
}

// Whether the standby's slot is in use, as the node holding it (its upstream) says; null when that is unknown.
function slotActiveOn(view: ClusterView, upstream: string | null, slot: string | undefined): boolean | null {
  if (!slot || !upstream) return null;
  return view.senders.get(upstream)?.slots.find((s) => s.slot_name === slot)?.active ?? null;
}

// The slot's wal_status on the node holding it (its upstream); null when unknown or before 13.
function slotWalStatusOn(view: ClusterView, upstream: string | null, slot: string | undefined): string | null {
  if (!slot || !upstream) return null;
  return view.senders.get(upstream)?.slots.find((s) => s.slot_name === slot)?.wal_status ?? null;
}

// pid: its postmaster's, null when none runs (or its host cannot be reached).
async function nodeStatus(rt: ClusterRuntime, node: PgNode, view: ClusterView, pid: number | null, error?: string): Promise<NodeStatus> {
  const spec = [rt.spec.primary, ...rt.spec.standbys, ...(rt.spec.detached ?? [])].find((n) => n.name === node.name)!;
  const upstream = spec.role === 'standby' ? (spec.upstream ?? null) : null;
  const base = baseStatus(rt, node, spec, upstream);
  if (isUnreachable(node.machine)) return unreachableStatus(base, node.machine);
  base.slotActive = slotActiveOn(view, upstream, spec.slot);
  base.slotWalStatus = slotWalStatusOn(view, upstream, spec.slot);
  base.error = error;
  if (pid === null) {
    base.state = (await node.exists()) ? ((await node.machine.stat(node.dataPath('postmaster.pid'))) ? 'stopped (crashed: stale postmaster.pid)' : 'stopped') : 'not created';
    return withSlotWarning(base);
  }
  base.running = true;
  base.pid = pid;
  try {
    const row = await node.queryOne<{ in_recovery: boolean; checkpoint_tli: number }>(
      'SELECT pg_is_in_recovery() AS in_recovery, (SELECT timeline_id FROM pg_control_checkpoint()) AS checkpoint_tli',
    );
    base.inRecovery = row?.in_recovery ?? null;
    base.timeline = row?.checkpoint_tli ?? null;
    if (!base.inRecovery) {
      base.timeline = (await primaryTimeline(node)) ?? base.timeline;
      base.state = 'running';
      base.role = 'primary';
      for (const w of await walHealthWarnings(node).catch(() => [])) base.warnings.push(`${w.detail}; fix: ${w.fix}`);
      return base;
    }
    base.role = 'standby';
    // A delay set by hand (ALTER SYSTEM) delays replay just as a configured one: report it as a delay, not lag.
    base.applyDelay = spec.applyDelay ?? (await activeApplyDelay(node));
    const receiver = await node.queryOne<{ status: string; conninfo: string | null; tli: number | null; last_msg: Date | null; timeout_ms: number }>(
      "SELECT status, conninfo, received_tli AS tli, last_msg_receipt_time AS last_msg, (SELECT setting::int FROM pg_settings WHERE name = 'wal_receiver_timeout') AS timeout_ms FROM pg_stat_wal_receiver",
    );
    // The timeline it is on now is the one its walreceiver receives (pg_control learns it at a restartpoint).
    base.timeline = receiver?.tli ?? base.timeline;
    // pg_stat_wal_receiver prints conninfo values without quoting, so only the port and the host (an address or a
    // name, neither with spaces) are read from it.
    const portMatch = receiver?.conninfo ? /(?:^|\s)port=(\d+)/.exec(receiver.conninfo) : null;
    if (portMatch) {
      const port = Number(portMatch[1]);
      const host = receiver?.conninfo ? /(?:^|\s)host=(\S+)/.exec(receiver.conninfo)?.[1] : undefined;
      base.upstream = upstreamAt(rt, node, host, port)?.name ?? `port ${port}`;
      // The slot it streams through is on the node it streams from (another standby, for a cascaded one).
      base.slotActive = slotActiveOn(view, base.upstream, spec.slot);
      base.slotWalStatus = slotWalStatusOn(view, base.upstream, spec.slot);
    }
    // Lag is measured against the primary's WAL position, also for a cascaded standby: how far its data is
    // behind the primary. What it has replayed is what its upstream's walsender reports; else its own position.
    const seen = base.upstream ? view.senders.get(base.upstream)?.replication.find((r) => r.application_name === node.name) : undefined;
    if (seen) {
      base.replayLagBytes = seen.replay_lsn !== null && view.primaryLsn ? lsnDiff(view.primaryLsn, seen.replay_lsn) : null;
      base.replayLagSeconds = seen.replay_lag_seconds ?? 0;
    } else if (view.primaryLsn) {
      const replayed = await node.lsn('replay');
      base.replayLagBytes = replayed ? lsnDiff(view.primaryLsn, replayed) : null;
    }
    base.state = receiver?.status === 'streaming' ? 'streaming' : 'running, not streaming';
    if (receiver?.status === 'streaming') {
      // A link that drops packets without a reset keeps the walreceiver "streaming" until wal_receiver_timeout.
      const silent = silentSince(receiver.last_msg, receiver.timeout_ms);
      if (silent) {
        base.disconnectedSince = silent;
        base.state = `streaming, but nothing heard from ${base.upstream ?? 'its upstream'} since ${silent}`;
      }
    } else {
      base.disconnectedSince = disconnectedSince(await logTail(node.logFile, 400, 0, node.machine)) ?? null;
      if (base.disconnectedSince) base.state = `running, not streaming (disconnected since ${base.disconnectedSince})`;
    }
  } catch (error) {
    const auth = isHotstandbyError(error) && error.code === 'AUTH_FAILED';
    base.state = auth ? `running, authentication failed${sqlStateOf(error) ? ` (${sqlStateOf(error)})` : ''}` : 'running, unreachable';
    base.error = auth && error.fix ? `${error.message}; fix: ${error.fix}` : (error as Error).message;
  }
  return withSlotWarning(base);
}

// A node whose host could not be reached: what the config and state say of it, and the host and why, without
// touching it (every effect on its machine would fail).
// What status says of every node before looking at its server: from the config, the state and the runtime.
function baseStatus(rt: ClusterRuntime, node: PgNode, spec: NodeSpec, upstream: string | null): NodeStatus {
  return {
    name: node.name,
    role: spec.role,
    port: node.port,
    dataDir: node.dataDir,
    host: node.machine.remote ? node.machine.label : null,
    hostReachable: true,
    state: 'stopped',
    running: false,
    pid: null,
    inRecovery: null,
    upstream,
    replayLagBytes: null,
    replayLagSeconds: null,
    slot: spec.slot ?? null,
    slotActive: null,
    slotWalStatus: null,
    timeline: null,
    url: nodeUrl(node, rt.spec.superuser.name),
    adopted: rt.state.nodes[node.name]?.adopted ?? false,
    createdByTool: rt.createdByTool(node.dataDir, node),
    synchronous: spec.synchronous ?? false,
    applyDelay: spec.applyDelay ?? null,
    formerPrimary: false,
    disconnectedSince: null,
    warnings: [],
  };
}

// A node whose host cannot be reached: named, with why and the way to fix it; nothing was run there.
function unreachableStatus(base: NodeStatus, machine: UnreachableMachine): NodeStatus {
  base.hostReachable = false;
  base.state = unreachableState(machine);
  if (machine.error.fix) base.warnings.push(`${base.name}'s host ${machine.label} cannot be reached; fix: ${machine.error.fix}`);
  base.error = machine.error.message;
  return base;
}

// A standby whose slot its upstream gave up can never catch up: its state and warnings say so, with the way out.
function withSlotWarning(status: NodeStatus): NodeStatus {
  if (status.slotWalStatus !== 'lost' || !status.slot || !status.upstream) return status;
  status.warnings.push(lostSlotMessage(status.slot, status.upstream, status.name));
  if (status.state !== 'streaming') status.state = `${status.state}, slot lost`;
  return status;
}

// The timeline a primary is on now, from its current WAL file's name (pg_control only learns a new timeline at the
// next checkpoint).
async function primaryTimeline(node: PgNode): Promise<number | undefined> {
  const { fn } = node.facts;
  const row = await node.queryOne<{ tli: number | null }>(`SELECT ('x' || substr(${fn.walFileName}(${fn.currentWalLsn}()), 1, 8))::bit(32)::int AS tli`).catch(() => undefined);
  return row?.tli ?? undefined;
}

// The node a standby's walreceiver connects to: the one on that port, and where nodes on several hosts share the port,
// the one at that host (loopback: the one on the standby's own machine).
function upstreamAt(rt: ClusterRuntime, standby: PgNode, host: string | undefined, port: number): PgNode | undefined {
  const onPort = rt.nodes.filter((n) => n.port === port);
  if (onPort.length <= 1 || host === undefined) return onPort[0];
  const loopback = host === LOOPBACK_ADDRESS || host === 'localhost' || host === '::1';
  return onPort.find((n) => (loopback ? onSameMachine(n, standby) : n.machine.address === host)) ?? onPort[0];
}
