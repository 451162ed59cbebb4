import type { Action } from './action.js';

// One numbered step of an operation: what it is for, its actions in order, and for people following it by hand
// what to look at afterwards and what to do when it fails.
export interface PlanStep {
  title: string;
  actions: readonly Action[];
  // Things worth saying that change nothing ("role repuser already exists with these attributes").
  notes?: readonly string[];
  // Work no action of the step does, for people to read and, following a runbook, to do by hand: a pipeline step's
  // own checks, or what happens once a server the run creates exists (secrets masked).
  described?: readonly string[];
  check?: string;
  ifFails?: string;
  // The actions are independent of one another (stopping the standbys of one depth) and run together; each is
  // still attempted when another fails, and the step then fails with the first error.
  concurrent?: boolean;
}

// Everything a command will do, planned from the cluster as it is, before anything changes: the executor applies
// it, --dry-run prints it, and `hotstandby runbook` writes it down for a person.
export interface OperationPlan {
  // The command as a user types it: "switchover replica1".
  command: string;
  // What the operation achieves, in a sentence or two.
  purpose: string;
  // What was found true while planning (the refusals that did not apply).
  checked: readonly string[];
  steps: readonly PlanStep[];
  // What follows the last step (a note for people: "then run hotstandby up to ...").
  after?: readonly string[];
}
