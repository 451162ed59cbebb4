import { HotstandbyError } from '../errors/hotstandby-error.js';
import { runProgramAllowFailure } from '../postgres/process-runner.js';
import { onWindows } from './platform.js';

// On Windows a mode such as 0600 or 0700 protects nothing (Node sets only the read-only flag): a private file
// or directory of the tool (secrets, passfiles, the run and log directories) gets an access list instead that
// lets in its owner only — inherited entries removed, full control granted to the current user, inherited by
// what a directory will hold. Elsewhere nothing to do (the mode does it).
export async function restrictToOwner(target: string, kind: 'file' | 'dir', platform: NodeJS.Platform = process.platform): Promise<void> {
  if (!onWindows(platform)) return;
  const args = icaclsOwnerOnlyArgs(target, kind, process.env.USERDOMAIN, process.env.USERNAME);
  const result = await runProgramAllowFailure('icacls', args, { purpose: `restrict ${target} to its owner` });
  if (result.exitCode !== 0) {
    throw new HotstandbyError('PATH_UNREACHABLE', `cannot restrict ${target} to its owner: icacls exited ${result.exitCode}`, {
      detail: (result.stderr || result.stdout).trim() || undefined,
      fix: `check that you own ${target} (icacls "${target}"), then run the command again`,
    });
  }
}

// The icacls arguments that leave only the given account (DOMAIN\user, or user alone) in a path's access list.
export function icaclsOwnerOnlyArgs(target: string, kind: 'file' | 'dir', domain: string | undefined, user: string | undefined): string[] {
  if (!user) throw new HotstandbyError('OS_USER', `cannot restrict ${target} to its owner: USERNAME is not set`, { fix: 'run hotstandby from a normal Windows session' });
  const account = domain ? `${domain}\\${user}` : user;
  return [target, '/inheritance:r', '/grant:r', `${account}:${kind === 'dir' ? '(OI)(CI)F' : 'F'}`];
}
