import type { OperationPlan } from '../executor/operation-plan.js';
import { cmdOfAction } from './cmd-of-action.js';
import type { RunbookTarget } from './runbook-target.js';
import { byHandWarning, stepsByHand } from './by-hand-steps.js';

// A plan as a Windows cmd script that does what the command would do, step by step, stopping at the first failure
// (if errorlevel 1) with the step's number. Steps that cannot be scripted are REM lines to do by hand.
export function renderCmdRunbook(plan: OperationPlan, target: RunbookTarget, generatedBy: string): string {
  const remark = (text: string) => text.split('\n').map((l) => `REM ${l}`);
  const lines = [
    '@echo off',
    `REM Runbook: hotstandby ${plan.command}`,
    `REM ${generatedBy}`,
    ...remark(plan.purpose),
    ...(plan.checked.length ? ['REM Checked when this runbook was written:', ...plan.checked.map((c) => `REM   - ${c}`)] : []),
    ...byHandWarning(
      stepsByHand(plan, (a) => cmdOfAction(a, target).run.length > 0),
      'REM by hand',
    ).map((l) => `REM ${l}`),
    'setlocal',
    `set "PGBIN=${target.binDir}"`,
    `set "PSQL=${target.psql}"`,
    `set "PGPASSFILE=${target.passfile}"`,
  ];
  let n = 0;
  for (const step of plan.steps) {
    n++;
    lines.push('', `REM -- ${n}. ${step.title}`, `echo ${n}. ${step.title.replace(/[&|<>^%()]/g, (c) => (c === '%' ? '%%' : `^${c}`))}`);
    for (const note of step.notes ?? []) lines.push(...remark(`note: ${note}`));
    for (const work of step.described ?? []) lines.push(...remark(`by hand: ${work}`));
    if (step.actions.length === 0 && !step.described?.length) lines.push('REM nothing to do');
    for (const action of step.actions) {
      const { run, remark: note } = cmdOfAction(action, target);
      if (note) lines.push(...remark(note));
      if (run.length) lines.push(...run, `if errorlevel 1 (echo runbook: step ${n} failed; see the runbook for what to do 1>&2 & exit /b 1)`);
    }
    if (step.check) lines.push(...remark(`check: ${step.check}`));
    if (step.ifFails) lines.push(...remark(`if it fails: ${step.ifFails}`));
  }
  for (const note of plan.after ?? []) lines.push(...remark(`then: ${note}`));
  lines.push('echo runbook: all steps done', 'endlocal', '');
  return lines.join('\r\n');
}
