import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { listProcesses } from './processes.js';
import { waitFor } from './wait.js';

// Hosts for multi-host tests, made on this machine: each is a network namespace with its own address on a bridge
// (from 198.18.0.0/15, the range set aside for testing networks, so no traffic leaves the machine), its own sshd,
// its own host name, and a private mount namespace in which HOST_DATA_ROOT is that host's own directory. A file
// written "on b" under HOST_DATA_ROOT is therefore invisible to the controller and to every other host: a tool that
// cheats through the local file system instead of going over SSH fails. Each host has its own /tmp as well.

// The directory that holds a host's data; the same path on every host, a different directory behind it on each.
export const HOST_DATA_ROOT = '/var/lib/hotstandby-test-host';

// What a test needs to reach one host.
export interface TestHost {
  name: string;
  // The host's address on the test network.
  address: string;
  // Where its HOST_DATA_ROOT really lives (for the harness's own checks; a tool under test must not use it).
  backingDir: string;
  // Run a command on the host over SSH as root (BatchMode: never prompts); resolves with its output.
  ssh(command: string): Promise<{ code: number; stdout: string; stderr: string }>;
  // Cut the host off the network (its link goes down) or bring it back.
  setReachable(reachable: boolean): void;
  // The command lines of the processes running on the host (in its network namespace) besides its sshd.
  processes(): string[];
}

// The whole test network: its hosts, the SSH settings a tool under test uses to reach them, and teardown.
export interface TestNetwork {
  hosts: TestHost[];
  host(name: string): TestHost;
  // The controller's address on the bridge.
  controllerAddress: string;
  // A private key authorised on every host, and a known_hosts file with every host key.
  identityFile: string;
  knownHostsFile: string;
  // The temporary directory holding keys, configs and every host's backing directory.
  root: string;
  // What every namespace and link of this network is named after ("hs1a2b").
  prefix: string;
  // ssh options that make a client use exactly these (no prompts, no user config leaking in).
  sshOptions: string[];
  // How hotstandby reaches a host as root with the network's key (a node's host settings: { host, user,
  // identityFile, options }); ssh() is the same without the host, as a config's "ssh" block.
  target(name: string): { host: string; user: string; identityFile: string; options: string[] };
  ssh(): { user: string; identityFile: string; options: string[] };
  teardown(): Promise<void>;
}

// Why multi-host tests cannot run here, or undefined when they can (root, iproute2, OpenSSH server and client).
export function networkHostsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'multi-host tests need root (network namespaces)';
  for (const program of ['/usr/sbin/sshd', '/usr/bin/ssh', '/usr/bin/ssh-keygen']) {
    if (!existsSync(program)) return `multi-host tests need ${program} (apt-get install openssh-server openssh-client)`;
  }
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'pipe' });
  } catch {
    return 'multi-host tests need iproute2 with network namespaces (ip netns)';
  }
  return undefined;
}

const live = new Set<() => void>();
let exitHookInstalled = false;

// Build a network with the named hosts (e.g. ['a', 'b', 'c']); each gets sshd listening on port 22 of its address.
export async function createTestNetwork(names: readonly string[]): Promise<TestNetwork> {
  const why = networkHostsUnavailable();
  if (why) throw new Error(why);
  const id = randomBytes(2).toString('hex');
  const subnet = await freeSubnet();
  // Not under /tmp, which each host mounts a /tmp of its own over (sshd reads its keys and config from here).
  const root = await mkdtemp(path.join('/var/tmp', `hotstandby-net-${id}-`));
  const bridge = `hs${id}br`;
  const namespaces: string[] = [];
  const daemons: ChildProcess[] = [];
  const removeAll = () => {
    for (const daemon of daemons) killGroup(daemon);
    // Whatever still runs on a host (a server started over SSH detaches from sshd) ends with it.
    for (const ns of namespaces) killNamespaceProcesses(ns);
    for (const ns of namespaces) quietly(['ip', 'netns', 'delete', ns]);
    quietly(['ip', 'link', 'delete', bridge]);
  };
  live.add(removeAll);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const remove of live) remove();
    });
  }
  const teardown = async () => {
    removeAll();
    live.delete(removeAll);
    await rm(root, { recursive: true, force: true });
  };
  try {
    await keygen(path.join(root, 'client-key'));
    const authorizedKeys = path.join(root, 'authorized_keys');
    await writeFile(authorizedKeys, await readFile(path.join(root, 'client-key.pub')), { mode: 0o600 });
    await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
    await mkdir(HOST_DATA_ROOT, { recursive: true, mode: 0o755 });
    run(['ip', 'link', 'add', bridge, 'type', 'bridge']);
    const controllerAddress = `198.18.${subnet}.1`;
    run(['ip', 'addr', 'add', `${controllerAddress}/24`, 'dev', bridge]);
    run(['ip', 'link', 'set', bridge, 'up']);
    const knownHosts: string[] = [];
    const hosts: TestHost[] = [];
    for (const [i, name] of names.entries()) {
      const ns = `hs${id}-${name}`;
      const veth = `hs${id}v${i}`;
      const address = `198.18.${subnet}.${10 + i}`;
      const dir = path.join(root, name);
      const backingDir = path.join(dir, 'data');
      await mkdir(backingDir, { recursive: true, mode: 0o755 });
      run(['ip', 'netns', 'add', ns]);
      namespaces.push(ns);
      run(['ip', 'link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      run(['ip', 'link', 'set', veth, 'master', bridge, 'up']);
      run(['ip', '-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
      run(['ip', '-n', ns, 'link', 'set', 'eth0', 'up']);
      run(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
      await keygen(path.join(dir, 'host-key'));
      knownHosts.push(`${address} ${(await readFile(path.join(dir, 'host-key.pub'), 'utf8')).trim()}`);
      const config = path.join(dir, 'sshd_config');
      await writeFile(config, sshdConfig(address, dir, authorizedKeys));
      const daemon = startSshd(ns, name, backingDir, config, path.join(dir, 'sshd.log'));
      daemons.push(daemon);
      hosts.push({
        name,
        address,
        backingDir,
        ssh: (command) => sshRun(root, address, command),
        setReachable: (reachable) => run(['ip', 'link', 'set', veth, reachable ? 'up' : 'down']),
        processes: () => namespaceCommandLines(ns).filter((line) => !/\bsshd\b|^ip netns exec|^unshare |^sh -c mount/.test(line)),
      });
    }
    const knownHostsFile = path.join(root, 'known_hosts');
    await writeFile(knownHostsFile, knownHosts.join('\n') + '\n', { mode: 0o644 });
    for (const host of hosts) await waitFor(() => canConnect(host.address, 22), { what: `sshd on ${host.name} (${host.address})`, timeoutMs: 15_000 });
    return {
      hosts,
      host: (name) => hosts.find((h) => h.name === name) ?? raise(`no test host named ${name}`),
      controllerAddress,
      identityFile: path.join(root, 'client-key'),
      knownHostsFile,
      root,
      prefix: `hs${id}`,
      sshOptions: sshOptions(root),
      target: (name) => ({ host: (hosts.find((h) => h.name === name) ?? raise(`no test host named ${name}`)).address, ...hotstandbySsh(root) }),
      ssh: () => hotstandbySsh(root),
      teardown,
    };
  } catch (error) {
    await teardown();
    throw error;
  }
}

function sshOptions(root: string): string[] {
  return [
    '-F',
    '/dev/null',
    '-i',
    path.join(root, 'client-key'),
    '-o',
    'BatchMode=yes',
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    `UserKnownHostsFile=${path.join(root, 'known_hosts')}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'ConnectTimeout=5',
  ];
}

function hotstandbySsh(root: string): { user: string; identityFile: string; options: string[] } {
  return { user: 'root', identityFile: path.join(root, 'client-key'), options: [`UserKnownHostsFile=${path.join(root, 'known_hosts')}`, 'StrictHostKeyChecking=yes'] };
}

function sshRun(root: string, address: string, command: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', [...sshOptions(root), `root@${address}`, command], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

function sshdConfig(address: string, dir: string, authorizedKeys: string): string {
  return [
    `ListenAddress ${address}`,
    'Port 22',
    `HostKey ${path.join(dir, 'host-key')}`,
    `AuthorizedKeysFile ${authorizedKeys}`,
    `PidFile ${path.join(dir, 'sshd.pid')}`,
    // The keys live in the test's temporary directory, not in a home directory sshd would check the modes of.
    'StrictModes no',
    'UsePAM no',
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    // Port forwarding and multiplexed sessions, as a tool reaching a PostgreSQL server over SSH needs them.
    'AllowTcpForwarding yes',
    'AllowStreamLocalForwarding yes',
    'MaxSessions 30',
    'MaxStartups 30:30:60',
    '',
  ].join('\n');
}

// sshd in the host's network namespace, in a private mount and UTS namespace where HOST_DATA_ROOT is the host's
// own directory, /tmp is its own (servers' sockets and lock files there never meet another host's), root's home is the host's own (empty: no shell start-up files of this machine's root, which can
// take a second per command) and the host name is its name; in its own process group, so teardown ends it and its sessions.
function startSshd(ns: string, name: string, backingDir: string, config: string, logFile: string): ChildProcess {
  const script = `mount --bind "$1" "$2" && mount --bind "$5" /root && mount -t tmpfs -o mode=1777 hotstandby-test-tmp /tmp && hostname "$3" && exec /usr/sbin/sshd -D -e -f "$4"`;
  const home = path.join(path.dirname(backingDir), 'root-home');
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const args = ['netns', 'exec', ns, 'unshare', '--mount', '--uts', '--propagation', 'private', 'sh', '-c', script, 'sshd-wrapper', backingDir, HOST_DATA_ROOT, name, config, home];
  const child = spawn('ip', args, {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => {
    log += d.toString();
    void writeFile(logFile, log).catch(() => undefined);
  });
  return child;
}

async function keygen(file: string): Promise<void> {
  run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'hotstandby-test', '-f', file]);
  await chmod(file, 0o600);
}

// A /24 inside 198.18.0.0/15 that no interface on this machine uses yet (parallel test files each get their own).
async function freeSubnet(): Promise<number> {
  const used = execFileSync('ip', ['-4', '-o', 'addr', 'show'], { encoding: 'utf8' });
  for (let tries = 0; tries < 100; tries++) {
    const n = 1 + Math.floor(Math.random() * 254);
    if (!used.includes(`198.18.${n}.`)) return n;
  }
  throw new Error('no free 198.18.x.0/24 subnet for a test network');
}

function canConnect(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port, timeout: 1000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function killNamespaceProcesses(ns: string): void {
  let pids: string[] = [];
  try {
    pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split(/\s+/).filter(Boolean);
  } catch {
    return;
  }
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

function run(argv: string[]): void {
  execFileSync(argv[0]!, argv.slice(1), { stdio: 'pipe' });
}

function quietly(argv: string[]): void {
  try {
    run(argv);
  } catch {
    // already removed
  }
}

function raise(message: string): never {
  throw new Error(message);
}

// Every network namespace and link named with the prefix that still exists (teardown checks).
export function networkObjectsNamed(prefix: string): string[] {
  const netns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  const links = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' });
  return [...netns.split('\n'), ...links.split('\n')].filter((l) => l.includes(prefix)).map((l) => l.trim());
}

// The sshd processes still running with a config under dir (teardown checks).
export function sshdProcessesUnder(dir: string): number[] {
  return listProcesses()
    .filter((p) => p.args.some((a) => a.includes(dir)) && p.args.some((a) => a.includes('sshd')))
    .map((p) => p.pid);
}

// The command lines of the processes in a network namespace.
function namespaceCommandLines(ns: string): string[] {
  let pids: string[] = [];
  try {
    pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
  return listProcesses()
    .filter((p) => pids.includes(String(p.pid)))
    .map((p) => p.args.join(' '));
}
