import path from 'node:path';
import { scopeWords, type ClusterSpec, type ResolvedPipeline, type ResolvedStep } from '@hotstandby/core';
import { displayPath } from './display-path.js';
import { renderTable } from './table.js';

// `hotstandby plugins --json`: the resolved pipeline as data.
export interface PipelineJson {
  config: string | null;
  steps: {
    position: number;
    name: string;
    scope: 'primary' | 'standby' | 'cluster';
    runsOn: string;
    description: string;
    origin: string;
    builtin: boolean;
    placement: ResolvedStep['placement'];
    before: string[];
    after: string[];
    replaces: string | null;
  }[];
  replaced: ResolvedPipeline['replaced'];
  disabled: ResolvedPipeline['disabled'];
}

// The resolved pipeline as JSON-ready data (origins as loaded: package@version or an absolute file path).
export function pipelineJson(spec: ClusterSpec, pipeline: ResolvedPipeline): PipelineJson {
  return {
    config: spec.source.path ?? null,
    steps: pipeline.steps.map((s, i) => ({
      position: i + 1,
      name: s.plugin.name,
      scope: s.plugin.scope,
      runsOn: runsOn(s.plugin.scope),
      description: s.plugin.description,
      origin: s.origin,
      builtin: s.builtin,
      placement: s.placement,
      before: [...(s.plugin.before ?? [])],
      after: [...(s.plugin.after ?? [])],
      replaces: s.replaces ?? null,
    })),
    replaced: pipeline.replaced,
    disabled: pipeline.disabled,
  };
}

// The resolved pipeline for people: a table in run order, then what was replaced and what does not run.
export function renderPipeline(data: PipelineJson, cwd: string): string {
  const lines = [`Pipeline of ${data.config ? displayPath(data.config, cwd) : 'the built-in default config'}: ${data.steps.length} step(s), in run order`, ''];
  lines.push(
    renderTable(
      ['#', 'STEP', 'SCOPE', 'PLACED BY', 'ORIGIN'],
      data.steps.map((s) => [String(s.position), s.name, s.runsOn, placedBy(s), displayOrigin(s.origin, cwd) + (s.replaces ? ' (replaces the built-in)' : '')]),
    ),
  );
  if (data.replaced.length) {
    lines.push('', 'Replaced built-in steps:');
    for (const r of data.replaced) lines.push(`  ${r.name}: ${r.builtin} is replaced by ${displayOrigin(r.by, cwd)}`);
  }
  if (data.disabled.length) {
    lines.push('', 'Not run:');
    for (const d of data.disabled) lines.push(`  ${d.name} (${displayOrigin(d.origin, cwd)}): ${d.reason === 'disable' ? 'listed in "disable"' : 'not listed in "pipeline"'}`);
  }
  return lines.join('\n');
}

// "primary", "each standby" or "cluster".
function runsOn(scope: 'primary' | 'standby' | 'cluster'): string {
  return scopeWords(scope).replace(/^the /, '');
}

function placedBy(s: PipelineJson['steps'][number]): string {
  switch (s.placement) {
    case 'pipeline':
      return '"pipeline"';
    case 'default':
      return 'built-in order';
    case 'before/after':
      return [...s.after.map((n) => `after ${n}`), ...s.before.map((n) => `before ${n}`)].join(', ');
    case 'appended':
      return 'appended (no place given)';
  }
}

function displayOrigin(origin: string, cwd: string): string {
  return path.isAbsolute(origin) ? displayPath(origin, cwd) : origin;
}
