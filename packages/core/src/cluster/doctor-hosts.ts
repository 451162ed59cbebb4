import type { NodeSpec } from '../config/cluster-spec.js';
import { isHotstandbyError } from '../errors/hotstandby-error.js';
import type { Machine } from '../hosts/machine.js';
import { isUnreachable } from '../hosts/unreachable-machine.js';
import { inspectDataDir, readPostmasterPort, type DataDirKind } from '../postgres/data-dir.js';
import type { ServerUser } from '../postgres/os-user.js';
import { binariesOn } from '../postgres/remote-binaries.js';
import { isPortFreeOn } from '../postgres/remote-port.js';
import { majorLabel, type PgMajorNum } from '../postgres/versions.js';
import { MachinesRecord } from './runtime-machines.js';

// A clock further off than this from this machine's is noted (replication lag in seconds and log times mislead).
const CLOCK_SKEW_NOTE_SECONDS = 1;

// One node on a host as doctor found it.
export interface DoctorHostNode {
  name: string;
  dataDir: string;
  // What is at the data directory (null when the host could not be asked).
  dataDirState: DataDirKind | null;
  // The server account can use the existing directory (writable), or can reach the nearest existing parent so up
  // can make it (creatable); or it cannot (not-writable, blocked: the directory in the way is `blockedAt`).
  access: 'writable' | 'not-writable' | 'creatable' | 'blocked' | null;
  blockedAt?: string;
  port: number;
  // Nothing listens on the port there, this node's server does, or another process holds it.
  portState: 'free' | 'this-node' | 'taken' | null;
}

// One remote host as doctor found it.
export interface DoctorHost {
  // How messages name it ("root@db2").
  host: string;
  address: string;
  reachable: boolean;
  // Why it could not be reached, and the ssh command to try.
  error?: string;
  fix?: string;
  postgres: { version: string; binDir: string } | null;
  serverUser: string | null;
  // Its clock minus this machine's, in seconds (null when not measured).
  clockSkewSeconds: number | null;
  nodes: DoctorHostNode[];
}

// A doctor line about a host, as runDoctor adds it.
export type HostCheckSink = (check: string, status: 'ok' | 'warn' | 'fix', detail: string, fix: string | undefined, host: string) => void;

// Look at every host a node lives on (each once, concurrently): reachable over SSH without a prompt, PostgreSQL of
// the cluster's major there, the server account, each node's data directory and port there, and its clock. Changes
// nothing; each problem is one line naming the host and the fix.
export async function inspectHosts(
  nodes: readonly (NodeSpec & { port: number })[],
  options: { major?: PgMajorNum; osUser?: string; signal?: AbortSignal; machines?: MachinesRecord },
  add: HostCheckSink,
): Promise<DoctorHost[]> {
  const remote = nodes.filter((n) => n.host);
  if (remote.length === 0) return [];
  // The runtime's connections when the cluster could be opened; else its own, closed here.
  const machines = options.machines ?? (await MachinesRecord.open(remote, options.signal));
  try {
    const byMachine = new Map<Machine, (NodeSpec & { port: number })[]>();
    for (const n of remote) {
      const machine = machines.of(n.name);
      byMachine.set(machine, [...(byMachine.get(machine) ?? []), n]);
    }
    const hosts = await Promise.all([...byMachine].map(([machine, on]) => inspectHost(machine, on, options)));
    // Lines in the config's order of hosts, each host's together.
    for (const { host, lines } of hosts) for (const l of lines) add(l.check, l.status, l.detail, l.fix, host.host);
    return hosts.map((h) => h.host);
  } finally {
    if (!options.machines) await machines.close();
  }
}

interface HostLine {
  check: string;
  status: 'ok' | 'warn' | 'fix';
  detail: string;
  fix?: string;
}

async function inspectHost(
  machine: Machine,
  nodes: readonly (NodeSpec & { port: number })[],
  options: { major?: PgMajorNum; osUser?: string },
): Promise<{ host: DoctorHost; lines: HostLine[] }> {
  const lines: HostLine[] = [];
  const line = (check: string, status: HostLine['status'], detail: string, fix?: string) => lines.push({ check, status, detail, fix });
  const host: DoctorHost = {
    host: machine.label,
    address: machine.address ?? nodes[0]!.host!.host,
    reachable: !isUnreachable(machine),
    postgres: null,
    serverUser: null,
    clockSkewSeconds: null,
    nodes: nodes.map((n) => ({ name: n.name, dataDir: n.dataDir, dataDirState: null, access: null, port: n.port, portState: null })),
  };
  const names = nodes.map((n) => n.name).join(', ');
  if (isUnreachable(machine)) {
    host.error = machine.error.message;
    host.fix = machine.error.fix;
    line(`host ${machine.label}`, 'fix', `${machine.error.message} (nodes ${names} live there)`, machine.error.fix);
    return { host, lines };
  }
  line(`host ${machine.label}`, 'ok', `reachable over SSH without a prompt (nodes ${names})`);

  const wanted = options.major === undefined ? 'PostgreSQL' : `PostgreSQL ${majorLabel(options.major)}`;
  const [binaries, serverUser, skew] = await Promise.all([
    binariesOn(machine, options.major).catch((error: unknown) => asProblem(error)),
    machine.serverUser(options.osUser).catch((error: unknown) => asProblem(error)),
    clockSkew(machine).catch(() => undefined),
  ]);
  if ('problem' in binaries) line(`host ${machine.label}: postgres`, 'fix', binaries.problem, binaries.fix);
  else {
    host.postgres = { version: binaries.version, binDir: binaries.binDir };
    line(`host ${machine.label}: postgres`, 'ok', `${wanted} ${binaries.version} in ${binaries.binDir}`);
  }
  if ('problem' in serverUser) line(`host ${machine.label}: os user`, 'fix', serverUser.problem, serverUser.fix);
  else {
    host.serverUser = serverUser.name;
    line(`host ${machine.label}: os user`, 'ok', `servers run as ${serverUser.name} (uid ${serverUser.uid})`);
  }
  if (skew === undefined) line(`host ${machine.label}: clock`, 'warn', 'could not read its clock (date +%s.%N)');
  else {
    host.clockSkewSeconds = Math.round(skew * 1000) / 1000;
    const off = Math.abs(skew) > CLOCK_SKEW_NOTE_SECONDS;
    line(
      `host ${machine.label}: clock`,
      off ? 'warn' : 'ok',
      `${skew >= 0 ? '+' : ''}${skew.toFixed(3)} s from this machine's clock${off ? ': replication lag in seconds and log times compare badly across hosts' : ''}`,
      off ? 'run a time service (chrony, systemd-timesyncd) on every host' : undefined,
    );
  }

  for (const [i, n] of nodes.entries()) {
    const found = host.nodes[i]!;
    const where = `${n.name} on ${machine.label}`;
    const info = await inspectDataDir(n.dataDir, machine);
    found.dataDirState = info.kind;
    if (info.kind === 'not-a-directory') line(`${where}: data directory`, 'fix', `${n.dataDir} is not a directory`, `remove it there or choose another dataDir for ${n.name}`);
    else if (info.kind === 'cluster' && options.major !== undefined && info.major !== undefined && info.major !== options.major)
      line(
        `${where}: data directory`,
        'fix',
        `${n.dataDir} holds PostgreSQL ${majorLabel(info.major)}, the cluster runs ${wanted}`,
        'primary and standbys must share one major: remove the standby (down --purge) and run up',
      );
    if (!('problem' in serverUser)) {
      const access = await dataDirAccess(machine, n.dataDir, serverUser);
      found.access = access.access;
      if (access.blockedAt) found.blockedAt = access.blockedAt;
      if (access.access === 'writable') line(`${where}: data directory`, 'ok', `${n.dataDir} (${info.kind}) is writable by ${serverUser.name}`);
      else if (access.access === 'creatable')
        line(`${where}: data directory`, 'ok', `${n.dataDir} does not exist yet; up creates it (${serverUser.name} can reach ${access.blockedAt})`);
      else if (access.access === 'not-writable')
        line(
          `${where}: data directory`,
          'fix',
          `${serverUser.name} cannot write ${n.dataDir}`,
          `on ${machine.label}: chown -R ${serverUser.name} ${n.dataDir}, or choose another dataDir`,
        );
      else
        line(
          `${where}: data directory`,
          'fix',
          `${serverUser.name} cannot reach ${access.blockedAt} (on the way to ${n.dataDir})`,
          `on ${machine.label}: chmod o+x the directories on the way, or choose another dataDir`,
        );
      if (access.access !== 'blocked') delete found.blockedAt;
    }
    found.portState = await portState(machine, n).catch(() => null);
    if (found.portState === 'this-node') line(`${where}: port ${n.port}`, 'ok', `${n.name} runs on it`);
    else if (found.portState === 'free') line(`${where}: port ${n.port}`, 'ok', `free for ${n.name}`);
    else if (found.portState === 'taken')
      line(`${where}: port ${n.port}`, 'fix', `${n.name}'s port is taken there by another process`, `free it on ${machine.label} or choose another port for ${n.name}`);
    else line(`${where}: port ${n.port}`, 'warn', `could not ask ${machine.label} whether port ${n.port} is free (ss -l)`, 'install iproute2 there');
  }
  return { host, lines };
}

// An error turned into a doctor line's words.
function asProblem(error: unknown): { problem: string; fix?: string } {
  if (isHotstandbyError(error)) return { problem: error.message, fix: error.fix };
  return { problem: (error as Error).message };
}

// The host's clock minus this machine's, in seconds, measured against the middle of the round trip.
async function clockSkew(machine: Machine): Promise<number> {
  const before = Date.now();
  const result = await machine.run('date', ['+%s.%N'], { purpose: 'read the clock' });
  const after = Date.now();
  const there = Number.parseFloat(result.stdout.trim()) * 1000;
  if (!Number.isFinite(there)) throw new Error(`unexpected output of date: ${result.stdout.trim()}`);
  return (there - (before + after) / 2) / 1000;
}

// Whether the server account can use the data directory there: the whole path entered (cd) as that account.
async function dataDirAccess(machine: Machine, dataDir: string, user: ServerUser): Promise<{ access: DoctorHostNode['access']; blockedAt?: string }> {
  // Each directory on the way is entered as that account: the first it cannot enter blocks; the first that does not
  // exist is where up starts creating.
  const script = [
    'set -f; d=$1; p=; IFS=/',
    'for c in $d; do',
    '  [ -z "$c" ] && continue; n="$p/$c"',
    '  if [ ! -e "$n" ]; then echo creatable; echo "${p:-/}"; exit 0; fi',
    '  if ! (cd -- "$n") 2>/dev/null; then echo blocked; echo "$n"; exit 0; fi',
    '  p=$n',
    'done',
    'if [ -w "$d" ]; then echo writable; else echo not-writable; fi',
  ].join('\n');
  const result = await machine.run('sh', ['-c', script, 'doctor-data-dir', dataDir], { user, purpose: `check ${dataDir} as ${user.name}` });
  const [access, at] = result.stdout.trim().split('\n');
  return { access: access as DoctorHostNode['access'], blockedAt: at };
}

// Who holds the node's port on its host: nothing, this node's server (its postmaster.pid names the port), or another.
async function portState(machine: Machine, n: NodeSpec & { port: number }): Promise<DoctorHostNode['portState']> {
  if (await isPortFreeOn(machine, n.port)) return 'free';
  return (await readPostmasterPort(n.dataDir, machine).catch(() => undefined)) === n.port ? 'this-node' : 'taken';
}
