import { HotstandbyError } from '../errors/hotstandby-error.js';
import { DEFAULT_SERVER_OS_USER, type ServerUser } from '../postgres/os-user.js';
import { parsePasswdLine } from '../postgres/passwd-lookup.js';
import { commandFailed, describeCommand, type RunResult } from '../postgres/process-runner.js';
import type { Machine, MachineFileAttributes, MachineFileFacts, MachineRunOptions } from './machine.js';
import { END_GROUP_SCRIPT } from './remote-process-group.js';
import { remoteCommandLine } from './remote-shell.js';
import type { SshConnection } from './ssh-connection.js';
import type { SshTarget } from './ssh-target.js';

// Reads "NAME=base64(value)" lines from standard input up to an empty line, exports them, and runs its arguments
// (after the first, the watcher below): how environment (passwords) reaches a remote program without appearing in
// any command line. The line "-=base64(input)" is the program's own standard input, fed to it through a pipe. What
// stays of standard input is the tool's end of the connection, which the tool keeps open while the program runs: a
// watcher in a session of its own reads it, and when it ends while this shell (the leader of the program's process
// group) still runs, the tool is gone (killed outright, its connection lost) and the watcher ends the group.
const WITH_ENV = [
  'watch=$1; shift',
  'input=',
  'while IFS= read -r line && [ -n "$line" ]; do',
  '  name=${line%%=*}',
  '  if [ "$name" = - ]; then input=${line#*=}; continue; fi',
  '  value=$(printf %s "${line#*=}" | base64 -d)',
  '  export "$name=$value"',
  'done',
  'exec 3<&0',
  'setsid sh -c "$watch" hotstandby-watch "$$" <&3 >/dev/null 2>&1 &',
  'exec 3<&-',
  'printf %s "$input" | base64 -d | "$@"',
].join('\n');

// The watcher's script ($1: the process group): wait for the end of standard input; when the group's leader still
// runs then, end the group (SIGTERM, then SIGKILL).
// (The leader is looked for in /proc: a watcher running as the server's account may not signal it.)
const WATCH_GROUP = ['cat > /dev/null', '[ -e "/proc/$1" ] || exit 0', END_GROUP_SCRIPT].join('\n');

// The environment every PostgreSQL program gets there: a clean C locale (as locally).
const BASE_ENV = { LC_ALL: 'C', LANG: 'C' };

// Another computer, reached over one SSH connection for the whole command: programs run there (as the server's
// account when asked), files are read and written there, PostgreSQL there is reached through the connection.
export class SshMachine implements Machine {
  readonly remote = true;
  private login?: Promise<{ uid: number; name: string }>;

  constructor(private readonly connection: SshConnection) {}

  get label(): string {
    return this.connection.label;
  }

  // The host name or address ssh really connects to (an alias's HostName): what other hosts reach this one at.
  get address(): string {
    return this.connection.resolved.hostname;
  }

  get sshTarget(): SshTarget {
    return this.connection.target;
  }

  async runAllowFailure(program: string, args: readonly string[], options: MachineRunOptions = {}): Promise<RunResult> {
    const env: Record<string, string> = { ...BASE_ENV, ...(options.user ? { HOME: options.user.home, USER: options.user.name, LOGNAME: options.user.name } : {}), ...options.env };
    const envLines = Object.entries(env).map(([k, v]) => `${k}=${Buffer.from(v).toString('base64')}\n`);
    const inputLine = `-=${Buffer.from(options.input ?? '').toString('base64')}\n`;
    const asUser = await this.asUser(options.user);
    const endAs = (await this.loginAccount()).uid === 0 ? [] : asUser;
    const watcher = endAs.length > 0 ? `exec ${remoteCommandLine([...endAs, 'sh', '-c', WATCH_GROUP, 'hotstandby-watch'])} "$1"` : WATCH_GROUP;
    // As on this machine, a program run as another account starts in / (the login's home may be closed to it).
    const argv = ['sh', '-c', asUser.length > 0 ? `cd /\n${WITH_ENV}` : WITH_ENV, 'hotstandby-env', watcher, ...asUser, program, ...args];
    return this.connection.runAllowFailure(argv, {
      input: `${envLines.join('')}${inputLine}\n`,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      purpose: options.purpose ?? `${program} on ${this.label}`,
      // Root ends the program's group itself; any other login, as the account the program runs as.
      ownGroup: { endAs },
    });
  }

  async run(program: string, args: readonly string[], options: MachineRunOptions = {}): Promise<RunResult> {
    const result = await this.runAllowFailure(program, args, options);
    if (result.exitCode !== 0) throw commandFailed(`${options.purpose ?? program} on ${this.label}`, describeCommand(program, args), result, { host: this.label });
    return result;
  }

  readFile(file: string): Promise<Buffer | undefined> {
    return this.connection.readBytes(file);
  }

  writeFileAtomic(file: string, content: string | Buffer, attributes: MachineFileAttributes = {}): Promise<void> {
    const owner = attributes.uid !== undefined && attributes.gid !== undefined ? `${attributes.uid}:${attributes.gid}` : undefined;
    return this.connection.writeFileAtomic(file, content, { mode: attributes.mode ?? 0o600, owner, keepExisting: attributes.exact !== true });
  }

  async stat(file: string): Promise<MachineFileFacts | undefined> {
    const result = await this.shell('[ -e "$1" ] || exit 3; stat -L -c "%f %u %g %s" -- "$1"', [file], `stat ${file}`);
    if (result.exitCode === 3) return undefined;
    if (result.exitCode !== 0) throw this.fileError('inspect', file, result);
    const [rawMode, uid, gid, size] = result.stdout.trim().split(' ');
    const mode = parseInt(rawMode!, 16);
    const type = mode & 0o170000;
    return { kind: type === 0o040000 ? 'dir' : type === 0o100000 ? 'file' : 'other', mode: mode & 0o7777, uid: Number(uid), gid: Number(gid), size: Number(size) };
  }

  async readdir(dir: string): Promise<string[] | undefined> {
    const result = await this.shell('[ -d "$1" ] || exit 3; find "$1" -mindepth 1 -maxdepth 1 -printf "%f\\0"', [dir], `list ${dir}`);
    if (result.exitCode === 3) return undefined;
    if (result.exitCode !== 0) throw this.fileError('list', dir, result);
    return result.stdout.split('\0').filter(Boolean);
  }

  async mkdir(dir: string, attributes: MachineFileAttributes & { mode: number }): Promise<string | undefined> {
    const owner = attributes.uid !== undefined && attributes.gid !== undefined ? `${attributes.uid}:${attributes.gid}` : '';
    const script = [
      'set -eu',
      'top=; d=$1',
      'while [ ! -e "$d" ]; do top=$d; d=$(dirname -- "$d"); done',
      '[ -n "$top" ] || exit 0',
      'umask 022',
      'mkdir -p -- "$1"',
      'chmod "$2" -- "$1"',
      '[ -z "$3" ] || chown -- "$3" "$1"',
      'printf %s "$top"',
    ].join('\n');
    const result = await this.shell(script, [dir, attributes.mode.toString(8), owner], `create ${dir}`);
    if (result.exitCode !== 0) throw this.fileError('create', dir, result);
    return result.stdout === '' ? undefined : result.stdout;
  }

  async remove(target: string, options: { recursive?: boolean } = {}): Promise<void> {
    const result = await this.connection.runAllowFailure(['rm', options.recursive ? '-rf' : '-f', '--', target], { purpose: `remove ${target} on ${this.label}` });
    if (result.exitCode !== 0) throw this.fileError('remove', target, result);
  }

  async rename(from: string, to: string): Promise<void> {
    const result = await this.connection.runAllowFailure(['mv', '-T', '--', from, to], { purpose: `move ${from} on ${this.label}` });
    if (result.exitCode !== 0) throw this.fileError('move', from, result);
  }

  async realpath(target: string): Promise<string> {
    const result = await this.shell('realpath -e -- "$1" 2>/dev/null || printf "%s\\n" "$1"', [target], `resolve ${target}`);
    return result.stdout.replace(/\n$/, '');
  }

  async finalPath(target: string): Promise<string> {
    const result = await this.shell('realpath -m -- "$1"', [target], `resolve ${target}`);
    return result.exitCode === 0 && result.stdout.trim() !== '' ? result.stdout.replace(/\n$/, '') : target;
  }

  async serverUser(name: string | undefined): Promise<ServerUser> {
    const login = await this.loginAccount();
    const wanted = name ?? (login.uid === 0 ? DEFAULT_SERVER_OS_USER : login.name);
    const result = await this.connection.runAllowFailure(['getent', 'passwd', wanted], { purpose: `look up ${wanted} on ${this.label}` });
    const entry = result.exitCode === 0 ? parsePasswdLine(result.stdout.trim().split('\n')[0] ?? '') : undefined;
    if (!entry) {
      throw new HotstandbyError('OS_USER', `the OS user "${wanted}" that must run PostgreSQL does not exist on ${this.label}`, {
        where: { host: this.label, key: 'postgres.osUser' },
        fix: `create it there (useradd --system --home-dir /var/lib/postgresql --shell /bin/sh ${wanted}), or install PostgreSQL's server package, which creates it`,
      });
    }
    const { uid } = entry;
    if (uid === 0) {
      throw new HotstandbyError('OS_USER', `the OS user "${wanted}" on ${this.label} is root, and PostgreSQL refuses to run as root`, {
        where: { host: this.label, key: 'postgres.osUser' },
        fix: 'set postgres.osUser to an unprivileged account such as postgres',
      });
    }
    if (login.uid !== 0 && login.uid !== uid) {
      throw new HotstandbyError('OS_USER', `hotstandby logs in to ${this.label} as "${login.name}", which can neither run programs as "${wanted}" nor is it`, {
        where: { host: this.label },
        fix: `log in as root or as ${wanted} (ssh.user of the node)`,
      });
    }
    return { ...entry, isInvoker: login.uid === uid };
  }

  postgresEndpoint(port: number, loopback: string): Promise<{ host: string; port: number }> {
    return this.connection.forwardPostgres(port, loopback).then((f) => ({ host: f.socketDir, port: f.port }));
  }

  close(): Promise<void> {
    return this.connection.close();
  }

  // The account the connection logs in as.
  private loginAccount(): Promise<{ uid: number; name: string }> {
    this.login ??= this.connection.run(['sh', '-c', 'id -u; id -un'], { purpose: `ask ${this.label} who we are` }).then((r) => {
      const [uid, name] = r.stdout.trim().split('\n');
      return { uid: Number(uid), name: name! };
    });
    return this.login;
  }

  // The words that run a program as the user there (nothing when the login is that user).
  private async asUser(user: ServerUser | undefined): Promise<string[]> {
    if (!user || user.isInvoker) return [];
    const login = await this.loginAccount();
    return login.uid === 0 ? ['runuser', '-u', user.name, '--'] : ['sudo', '-n', '-u', user.name, '--'];
  }

  private shell(script: string, args: readonly string[], purpose: string): Promise<RunResult> {
    return this.connection.runAllowFailure(['sh', '-c', script, 'hotstandby', ...args], { purpose: `${purpose} on ${this.label}` });
  }

  private fileError(doing: string, file: string, result: RunResult): HotstandbyError {
    return new HotstandbyError('PATH_UNREACHABLE', `cannot ${doing} ${file} on ${this.label}: ${(result.stderr || result.stdout).trim().split('\n').slice(-2).join(' ')}`, {
      where: { host: this.label, file },
    });
  }
}
