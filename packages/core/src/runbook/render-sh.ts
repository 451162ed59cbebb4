import type { OperationPlan } from '../executor/operation-plan.js';
import { quoteShellArg } from '../postgres/quoting.js';
import type { RunbookTarget } from './runbook-target.js';
import { shellOfAction } from './shell-of-action.js';
import { byHandWarning, stepsByHand } from './by-hand-steps.js';

const q = quoteShellArg;

// A plan as a POSIX shell script that does what the command would do, step by step, stopping at the first failure
// (set -e) with the step's number and what to do next. Steps that cannot be scripted are comments to do by hand.
export function renderShellRunbook(plan: OperationPlan, target: RunbookTarget, generatedBy: string): string {
  const lines = [
    '#!/bin/sh',
    `# Runbook: hotstandby ${plan.command}`,
    `# ${generatedBy}`,
    ...plan.purpose.split('\n').map((l) => `# ${l}`),
    ...(plan.checked.length ? ['# Checked when this runbook was written:', ...plan.checked.map((c) => `#   - ${c}`)] : []),
    ...byHandWarning(
      stepsByHand(plan, (a) => shellOfAction(a, target).some((l) => !l.startsWith('#'))),
      '# by hand',
    ).map((l) => `# ${l}`),
    'set -eu',
    ...shellSettings(target),
    'step=0',
    `trap 'rc=$?; if [ "$rc" != 0 ]; then echo "runbook: step $step failed (exit $rc); see the runbook for what to do" >&2; fi' EXIT`,
  ];
  let n = 0;
  for (const step of plan.steps) {
    n++;
    lines.push('', `# ── ${n}. ${step.title}`, `step=${n}`, `echo ${q(`${n}. ${step.title}`)}`);
    for (const note of step.notes ?? []) lines.push(`# note: ${note}`);
    for (const work of step.described ?? []) lines.push(`# by hand: ${work}`);
    if (step.actions.length === 0 && !step.described?.length) lines.push('# nothing to do');
    for (const action of step.actions) lines.push(...shellOfAction(action, target));
    if (step.check) lines.push(`# check: ${step.check}`);
    if (step.ifFails) lines.push(`# if it fails: ${step.ifFails}`);
  }
  for (const note of plan.after ?? []) lines.push(`# then: ${note}`);
  lines.push('echo "runbook: all steps done"', '');
  return lines.join('\n');
}

// The variables and functions every runbook command uses (PGBIN, PSQL, PGPASSFILE, as_server, to_server, sql_at):
// the top of a sh runbook, and what a Markdown runbook asks the reader to run first.
export function shellSettings(target: RunbookTarget): string[] {
  return [
    `PGBIN=${q(target.binDir)}`,
    `PSQL=${q(target.psql)}`,
    `export PGPASSFILE=${q(target.passfile)}`,
    ...serverUserHelpers(target.serverUser),
    `sql_at() { host=$1; port=$2; db=$3; shift 3; "$PSQL" -X -q -v ON_ERROR_STOP=1 -h "$host" -p "$port" -U ${q(target.superuser)} -d "$db" "$@"; }`,
  ];
}

function serverUserHelpers(serverUser: string | undefined): string[] {
  if (!serverUser) return ['as_server() { "$@"; }', 'to_server() { :; }'];
  const user = q(serverUser);
  return [
    '# PostgreSQL refuses to run as root: its programs run as the server account when this script runs as root.',
    `as_server() { if [ "$(id -u)" = 0 ]; then runuser -u ${user} -- "$@"; else "$@"; fi; }`,
    `to_server() { if [ "$(id -u)" = 0 ]; then chown ${user}: "$@"; fi; }`,
  ];
}
