import type { Action, DescribedWork, PlannedStep, StepPlan } from '@hotstandby/core';
import { changesSomething } from '@hotstandby/core';

// A failed expectation about a plan; the message lists what the step did plan.
export class PlanAssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssertionError';
  }
}

// Assertions on what a step planned (chainable). Each throws a PlanAssertionError listing the plan when it fails.
export interface PlanExpectation {
  // No action and no described work: the step has nothing to do (idempotence: the second run's plan).
  toBeEmpty(): PlanExpectation;
  // Only checks that change nothing (for verification steps).
  toChangeNothing(): PlanExpectation;
  // A SQL action whose statement matches.
  toRunSql(pattern: RegExp | string): PlanExpectation;
  // A file written at this path (or one matching).
  toWriteFile(file: RegExp | string): PlanExpectation;
  // A program run whose command line ("pgbench -i -s 1 ...") matches.
  toRunCommand(pattern: RegExp | string): PlanExpectation;
  // A note matching.
  toNote(pattern: RegExp | string): PlanExpectation;
}

// Start assertions on one plan or on the plans of every node (then a match on any node counts).
export function expectPlanned(planned: PlannedStep | StepPlan | readonly (PlannedStep | StepPlan)[]): PlanExpectation {
  const plans = Array.isArray(planned) ? (planned as readonly (PlannedStep | StepPlan)[]) : [planned as PlannedStep | StepPlan];
  const actions = plans.flatMap((p) => p.actions);
  const notes = plans.flatMap((p) => p.notes ?? []);
  const described = plans.flatMap((p) => p.described ?? []);
  const fail = (expected: string): never => {
    throw new PlanAssertionError(`expected the plan of ${label(plans)} to ${expected}, but it plans:\n${listing(actions, described, notes)}`);
  };
  const some = (expected: string, test: (a: Action) => boolean) => {
    if (!actions.some(test)) fail(expected);
    return expectation;
  };
  const expectation: PlanExpectation = {
    toBeEmpty: () => (actions.length > 0 || described.length > 0 ? fail('be empty (nothing to do)') : expectation),
    toChangeNothing: () => (actions.some(changesSomething) || described.some((w) => w.changes) ? fail('change nothing') : expectation),
    toRunSql: (pattern) => some(`run SQL matching ${pattern}`, (a) => a.kind === 'sql' && matches(pattern, a.sql)),
    toWriteFile: (file) => some(`write the file ${file}`, (a) => a.kind === 'write-file' && (typeof file === 'string' ? a.path === file : file.test(a.path))),
    toRunCommand: (pattern) => some(`run a command matching ${pattern}`, (a) => a.kind === 'exec' && matches(pattern, [a.command, ...a.args].join(' '))),
    toNote: (pattern) => (notes.some((n) => matches(pattern, n)) ? expectation : fail(`note something matching ${pattern}`)),
  };
  return expectation;
}

function matches(pattern: RegExp | string, text: string): boolean {
  return typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text);
}

function label(plans: readonly (PlannedStep | StepPlan)[]): string {
  const named = plans.filter((p): p is PlannedStep => 'step' in p);
  if (named.length === 0) return 'the step';
  return `${named[0]!.step} on ${named.map((p) => p.node).join(', ')}`;
}

function listing(actions: readonly Action[], described: readonly DescribedWork[], notes: readonly string[]): string {
  if (actions.length === 0 && described.length === 0 && notes.length === 0) return '  (nothing)';
  const lines = actions.map((a) => {
    switch (a.kind) {
      case 'sql':
        return `  - sql on ${a.node}: ${a.display ?? a.sql}`;
      case 'write-file':
        return `  - write ${a.path}`;
      case 'remove-file':
        return `  - remove ${a.path}`;
      case 'mkdir':
        return `  - mkdir ${a.path}`;
      case 'exec':
        return `  - run ${a.command} ${a.args.join(' ')}`;
      case 'node':
        return `  - ${a.op} ${a.node}`;
      case 'task':
        return `  - ${a.changes ? 'task' : 'check'}: ${a.summary}`;
      default:
        return `  - ${(a as Action).kind}: ${(a as Action).summary}`;
    }
  });
  const work = described.map((w) => `  - ${w.changes ? 'described' : 'check'}: ${w.summary}`);
  return [...work, ...lines, ...notes.map((n) => `  note: ${n}`)].join('\n');
}
