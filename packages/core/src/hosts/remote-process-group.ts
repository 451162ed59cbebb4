// A program started on another host runs there as the leader of a session (and so of a process group) of its own,
// and says the group's number first thing on standard error. When the run is interrupted, times out or the tool
// exits, that group is ended there (killing the local ssh client alone leaves the program running on the host).

// The line is the first the wrapper prints, so what comes before it is the login's (sshd's "Could not chdir to home
// directory", a shell's start-up files), never the program's: the first such line is taken wherever it is among the
// first lines, and only it is stripped.
const GROUP_LINE = /(?:^|\n)hotstandby-process-group (\d+)(?:\n|$)/;
// How far into standard error the line is looked for (bytes).
const GROUP_LINE_WITHIN = 4096;

// How long a group gets between SIGTERM and SIGKILL, and until it must be gone after that (hundredths of a second,
// as the script there counts them on the host's clock).
const GRACE_CENTISECONDS = 500;
const GONE_AFTER_KILL_CENTISECONDS = 500;

// The argv that runs argv on the host in a new session, after writing "hotstandby-process-group N" to standard
// error (N: the session's process group, which whatever the program starts stays in unless it leaves on purpose,
// as a server started by pg_ctl does). The program's exit status is passed through (setsid -w).
export function inOwnGroupArgv(argv: readonly string[]): string[] {
  return ['setsid', '-w', 'sh', '-c', `printf 'hotstandby-process-group %s\\n' "$$" >&2\nexec "$@"`, 'hotstandby-group', ...argv];
}

// Finds the group's number at the start of a remote program's standard error as its pieces arrive.
export class GroupLineReader {
  private head = '';
  private seen?: () => void;
  // The group, once its line arrived.
  group?: number;
  // Settles when the group's line arrived.
  readonly found = new Promise<void>((resolve) => {
    this.seen = resolve;
  });

  // One more piece of standard error.
  feed(chunk: Buffer): void {
    if (this.group !== undefined || this.head.length > GROUP_LINE_WITHIN) return;
    this.head += chunk.toString('utf8');
    const match = GROUP_LINE.exec(this.head.slice(0, GROUP_LINE_WITHIN));
    if (match) {
      this.group = Number(match[1]);
      this.seen?.();
    }
  }
}

// How long an interruption waits for a remote program to say its group before the local client is stopped anyway.
const GROUP_LINE_WAIT_MS = 10_000;

// A signal for the local ssh client of a remote program that follows `signal`, but only once the program said which
// group it runs in (the wrapper says so first thing): stopping the client earlier would leave nothing to end it by
// on the host but its watcher, later. A host that never says is given up after a few seconds. dispose() forgets it.
export function abortOnceGroupKnown(signal: AbortSignal, reader: GroupLineReader): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    const abort = () => {
      clearTimeout(timer);
      controller.abort(signal.reason);
    };
    timer = setTimeout(abort, GROUP_LINE_WAIT_MS);
    timer.unref();
    void reader.found.then(abort);
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    },
  };
}

// What an error of a stopped remote program carries (in its data) when the program could not be ended there.
export interface StillRunningThere {
  stillRunning: { host: string; processGroup?: number };
}

// True when the error says its program may still run on another host (the connection was gone, or the group could not
// be ended): a caller must not replace its message with one that says the work was cleaned up.
export function stillRunsThere(error: unknown): boolean {
  const data = (error as { data?: Partial<StillRunningThere> } | undefined)?.data;
  return typeof data?.stillRunning?.host === 'string';
}

// A remote program's standard error without the group's line.
export function withoutGroupLine(stderr: string): string {
  const match = GROUP_LINE.exec(stderr.slice(0, GROUP_LINE_WITHIN));
  if (!match) return stderr;
  const before = stderr.slice(0, match.index);
  const after = stderr.slice(match.index + match[0].length);
  return match[0].startsWith('\n') && after !== '' ? `${before}\n${after}` : `${before}${after}`;
}

// A script for the host's sh, given the group's number as $1: SIGTERM to the group, SIGKILL when it is still there
// after the grace, and wait until no process of it is left (a zombie waiting for its parent counts as gone). Exits 0
// once the group is gone, 3 when something of it outlived SIGKILL.
export const END_GROUP_SCRIPT = [
  'g=$1',
  // Hundredths of a second since the host booted.
  'now() { read -r up _ < /proc/uptime; echo "${up%.*}${up#*.}"; }',
  'alive() {',
  '  kill -0 -"$g" 2>/dev/null || return 1',
  '  for s in /proc/[0-9]*/stat; do',
  '    { read -r line < "$s"; } 2>/dev/null || continue',
  '    set -- ${line##*) }',
  '    [ "$1" != Z ] && [ "$3" = "$g" ] && return 0',
  '  done',
  '  return 1',
  '}',
  'alive || exit 0',
  'kill -TERM -"$g" 2>/dev/null',
  `kill_at=$(( $(now) + ${GRACE_CENTISECONDS} ))`,
  `give_up_at=$(( kill_at + ${GONE_AFTER_KILL_CENTISECONDS} ))`,
  'while alive; do',
  '  t=$(now)',
  '  [ "$t" -lt "$kill_at" ] || kill -KILL -"$g" 2>/dev/null',
  '  [ "$t" -lt "$give_up_at" ] || exit 3',
  '  sleep 0.1',
  'done',
].join('\n');

// Remote groups whose programs still run, each with what ends it at once (synchronously, for the tool's exit).
const running = new Map<object, () => void>();
let endOnExit = false;

// Note a remote program that runs now, and how to end its group at once should the tool exit while it runs; the
// returned function forgets it again (when it ended).
export function noteRemoteGroup(endNow: () => void): () => void {
  const key = {};
  running.set(key, endNow);
  if (!endOnExit) {
    endOnExit = true;
    process.on('exit', endRemoteGroupsNow);
  }
  return () => running.delete(key);
}

// End the group of every remote program still running (the tool exits: at once, SIGKILL).
export function endRemoteGroupsNow(): void {
  for (const [key, endNow] of running) {
    running.delete(key);
    try {
      endNow();
    } catch {
      // The connection is gone: nothing more can be done from here.
    }
  }
}
