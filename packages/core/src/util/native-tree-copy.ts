import { isHotstandbyError } from '../errors/hotstandby-error.js';
import { runProgram, runProgramAllowFailure } from '../postgres/process-runner.js';
import { onWindows } from './platform.js';

// GNU coreutils' cp, which takes --preserve=mode,ownership and --reflink=auto (a clone where the file system can,
// else a copy). BSD and macOS cp, and BusyBox's, lack --reflink; other rewrites are not relied on untried.
const GNU_CP = /^cp \(GNU coreutils\)/;

let available: Promise<boolean> | undefined;

// True when this machine's cp is GNU coreutils' cp, which can copy a directory tree in one run (asked once per process,
// from `cp --version`); never on Windows, where a cp on the PATH knows nothing of the server user's ownership.
export function nativeTreeCopyAvailable(): Promise<boolean> {
  if (onWindows()) return Promise.resolve(false);
  available ??= runProgramAllowFailure('cp', ['--version'], { purpose: 'cp --version' })
    .then((result) => result.exitCode === 0 && GNU_CP.test(result.stdout))
    .catch(() => false);
  return available;
}

// Copy the contents of the directory `from` into the existing directory `to` with one cp run, keeping modes and
// owners (`to` takes `from`'s too; owners only where this process may give files away, as root) and copying
// symlinks as symlinks; only where nativeTreeCopyAvailable. Not -a: that would also carry over the SELinux label
// and other extended attributes of the source, where new files should get the target's. An interrupt ends cp
// (ABORTED).
export async function copyTreeNative(from: string, to: string, signal?: AbortSignal): Promise<void> {
  await runProgram('cp', ['-R', '--no-dereference', '--preserve=mode,ownership', '--reflink=auto', '--', `${from}/.`, to], { purpose: `cp -R ${from}`, signal });
}

// True when an error from copyTreeNative is cp's own failure (it ran and exited non-zero), not an interrupt or a timeout.
export function isCopyFailure(error: unknown): boolean {
  return isHotstandbyError(error) && error.code === 'COMMAND_FAILED';
}
