import { STEP_NAME_PATTERN } from '../config/name-patterns.js';
import type { StepPlugin } from './step-plugin.js';

const SCOPES = ['primary', 'standby', 'cluster'];
const HOOKS = ['plan', 'apply', 'preflight', 'bootstrapSettings', 'observe'] as const;

// The usual fix for a module that is not a step plugin.
export const DEFINE_PLUGIN_FIX = "export default definePlugin({ name, description, scope, plan }) with definePlugin from '@hotstandby/core' (see docs/plugins.md)";

// What is wrong with a value that should be a step plugin, and the fix when it is more specific than
// DEFINE_PLUGIN_FIX; undefined when it is a step plugin.
export interface PluginProblem {
  problem: string;
  fix?: string;
}

// What is wrong with a value that should be a step plugin (the default export of a plugin module), or
// undefined when it is one.
export function pluginProblem(value: unknown): string | undefined {
  return checkPlugin(value)?.problem;
}

// pluginProblem with the fix for problems that have their own (a before/after naming the step itself).
export function checkPlugin(value: unknown): PluginProblem | undefined {
  const problem = shapeProblem(value);
  if (problem) return { problem };
  const p = value as { name: string; before?: string[]; after?: string[] };
  for (const key of ['before', 'after'] as const) {
    if (p[key]?.includes(p.name)) {
      return {
        problem: `step "${p.name}": "${key}" names the step itself`,
        fix: `remove "${p.name}" from "${key}" (before and after name the other steps this one runs relative to)`,
      };
    }
  }
  return undefined;
}

// Whether the value has the fields and types of a step plugin.
function shapeProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) {
    return value === undefined ? 'it has no default export' : `its default export is ${typeof value === 'function' ? 'a function' : typeof value}, not a step plugin object`;
  }
  const p = value as Record<string, unknown>;
  if (typeof p.name !== 'string') return 'its "name" is missing (a step name such as "seed-schema")';
  if (!STEP_NAME_PATTERN.test(p.name)) return `its name "${p.name}" is not a step name (lower-case letters and digits, words joined by "-")`;
  if (typeof p.description !== 'string') return `step "${p.name}" has no "description" (one line saying what it does)`;
  if (!SCOPES.includes(p.scope as string)) return `step "${p.name}" has scope ${JSON.stringify(p.scope)}; it must be "primary", "standby" or "cluster"`;
  for (const hook of HOOKS) {
    if (hook === 'plan' ? typeof p.plan !== 'function' : p[hook] !== undefined && typeof p[hook] !== 'function') {
      return `step "${p.name}": "${hook}" must be a function${hook === 'plan' ? ' (every step plans)' : ''}`;
    }
  }
  if (p.options !== undefined && typeof (p.options as { safeParse?: unknown })?.safeParse !== 'function') {
    return `step "${p.name}": "options" must be a zod schema (z.strictObject({ ... }) from '@hotstandby/core')`;
  }
  for (const key of ['before', 'after'] as const) {
    const list = p[key];
    if (list === undefined) continue;
    if (!Array.isArray(list) || !list.every((n) => typeof n === 'string')) return `step "${p.name}": "${key}" must be a list of step names`;
  }
  return undefined;
}

// Narrow a checked value to a plugin.
export function isStepPlugin(value: unknown): value is StepPlugin<any> {
  return pluginProblem(value) === undefined;
}
