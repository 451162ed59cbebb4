import path from 'node:path';
import type { PlanStep } from '../executor/operation-plan.js';
import type { StepScope } from '../plugin/step-plugin.js';
import { quoteShellArg } from '../postgres/quoting.js';
import type { Topology } from '../state/cluster-state.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import { effectiveSpec } from './effective-spec.js';

// Runs the pipeline (as `hotstandby up` does) once the steps before it changed the topology.
export type PipelineRun = () => Promise<void>;

// The pipeline a failover ends with: how to run it, and its steps in order (to say where each will run).
export interface Pipeline {
  run: PipelineRun;
  steps: readonly { name: string; scope: StepScope }[];
  // For --dry-run and runbooks: what the pipeline plans now against the topology the failover leaves, with no effect
  // (each step that has something to do, then its SQL, file changes and commands). Absent when the plan is applied.
  preview?(topology: Topology, plannedWrites: ReadonlySet<string>): Promise<string[]>;
}

// The last step of promote, switchover and rejoin: the pipeline of `hotstandby up` against the topology as the
// earlier steps left it (standbys follow the new primary, slots and recovery settings follow, stopped standbys
// start, verify). It plans again when it runs, from what it then finds. By hand: tell hotstandby who is primary
// now (adopt-topology), then run up.
// earlier: the plan's steps before it (a dry run previews the pipeline as if the files they write were there).
export async function pipelineStep(rt: ClusterRuntime, pipeline: Pipeline, topology: Topology, earlier: readonly PlanStep[]): Promise<PlanStep> {
  const sh = [hotstandbyLine(rt, 'sh', 'adopt-topology'), hotstandbyLine(rt, 'sh', 'up --plain')];
  const cmd = [hotstandbyLine(rt, 'cmd', 'adopt-topology'), 'if errorlevel 1 exit /b 1', hotstandbyLine(rt, 'cmd', 'up --plain'), 'if errorlevel 1 exit /b 1'];
  return {
    title: 'bringing every node to the new topology (the pipeline of hotstandby up)',
    actions: [
      {
        kind: 'task',
        changes: true,
        summary: 'run the pipeline of hotstandby up against the new topology',
        details: [
          ...whereStepsRun(rt, pipeline, topology),
          ...(await previewLines(pipeline, topology, earlier)),
          `the steps plan again when they run, from what they then find: every standby's primary_conninfo and slot name the node it now follows,`,
          `missing replication slots are created there, a stopped standby starts, and verify checks that every standby streams`,
          `by hand: ${sh.join(' && ')}`,
        ],
        run: pipeline.run,
        byHand: { sh: sh.join('\n'), cmd: cmd.join('\r\n'), text: 'hotstandby adopt-topology records who is primary now (read from the servers); hotstandby up does the rest' },
      },
    ],
    check: 'hotstandby status shows every standby streaming from its upstream, and hotstandby verify passes',
    ifFails: 'run hotstandby up again: it continues where it stopped',
  };
}

// What the pipeline would do against the new topology, planned now (servers as they are before the failover).
async function previewLines(pipeline: Pipeline, topology: Topology, earlier: readonly PlanStep[]): Promise<string[]> {
  if (!pipeline.preview) return [];
  const writes = new Set(earlier.flatMap((s) => s.actions).flatMap((a) => (a.kind === 'write-file' ? [path.resolve(a.path)] : [])));
  const lines = await pipeline.preview(topology, writes);
  return ['planned now, against the new topology (the servers as they are before the steps above):', ...lines.map((l) => `  ${l}`)];
}

// Which steps run on which node of the topology as it will be (computed in memory from the config and that topology).
function whereStepsRun(rt: ClusterRuntime, pipeline: Pipeline, topology: Topology): string[] {
  const spec = effectiveSpec(rt.configSpec, { ...rt.state, topology });
  const named = (scope: StepScope) => pipeline.steps.filter((s) => s.scope === scope).map((s) => s.name);
  const lines: string[] = [];
  if (named('primary').length) lines.push(`on the primary ${spec.primary.name}: ${named('primary').join(', ')}`);
  if (named('standby').length) for (const s of spec.standbys) lines.push(`on ${s.name} (standby of ${s.upstream}): ${named('standby').join(', ')}`);
  if (named('cluster').length) lines.push(`for the cluster: ${named('cluster').join(', ')}`);
  return lines;
}

// A hotstandby command line for this cluster's config, for a runbook (POSIX sh or Windows cmd).
function hotstandbyLine(rt: ClusterRuntime, shell: 'sh' | 'cmd', args: string): string {
  const config = rt.configSpec.source.path;
  if (shell === 'sh') return config ? `hotstandby --config ${quoteShellArg(config)} ${args}` : `(cd ${quoteShellArg(process.cwd())} && hotstandby ${args})`;
  return config ? `call hotstandby --config "${config}" ${args}` : `pushd "${process.cwd()}" && call hotstandby ${args} & popd`;
}
