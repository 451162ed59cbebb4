import type { HotstandbyError } from '../errors/hotstandby-error.js';
import type { Machine } from './machine.js';
import type { SshTarget } from './ssh-target.js';

// A host that could not be reached when the command started: it stands in for the machine so that commands which
// do not need it still work (status reports it, down of other nodes goes on), and everything done to it fails at once
// with the same HOST_UNREACHABLE error naming the host and the ssh command to try.
export class UnreachableMachine implements Machine {
  readonly remote = true;

  constructor(
    readonly label: string,
    readonly address: string,
    // Why it cannot be reached.
    readonly error: HotstandbyError,
    // How ssh tried to reach it.
    readonly sshTarget?: SshTarget,
  ) {}

  private fail(): Promise<never> {
    return Promise.reject(this.error);
  }

  runAllowFailure = () => this.fail();
  run = () => this.fail();
  readFile = () => this.fail();
  writeFileAtomic = () => this.fail();
  stat = () => this.fail();
  readdir = () => this.fail();
  mkdir = () => this.fail();
  remove = () => this.fail();
  rename = () => this.fail();
  realpath = () => this.fail();
  finalPath = () => this.fail();
  serverUser = () => this.fail();
  postgresEndpoint = () => this.fail();

  async close(): Promise<void> {}
}

// True for a machine that could not be reached.
export function isUnreachable(machine: Machine): machine is UnreachableMachine {
  return machine instanceof UnreachableMachine;
}
