import path from 'node:path';
import type { z } from 'zod';
import type { ClusterSpec } from '../config/cluster-spec.js';
import { formatConfigIssues, formatConfigPath } from '../config/format-config-issues.js';
import type { LoadedPlugin } from './resolve-steps.js';
import { invalidConfig } from '../errors/error-factories.js';

// A step's options: those written next to the plugin (["pkg", { ... }]) overlaid key by key with
// "steps.<name>" (which wins), validated by the plugin's schema (defaults applied). A bad value is refused
// naming the config key it came from; a missing required option, where it can be set.
export function stepOptions(spec: ClusterSpec, loaded: LoadedPlugin): unknown {
  const name = loaded.plugin.name;
  const fromSteps = spec.steps[name];
  const fromEntry = loaded.options;
  const raw = { ...fromEntry, ...fromSteps };
  const schema = loaded.plugin.options as z.ZodType | undefined;
  if (!schema) return raw;
  const parsed = schema.safeParse(raw, { reportInput: true });
  if (parsed.success) return parsed.data;

  const issues = parsed.error.issues;
  const entryKey = `${loaded.configKey ?? 'plugins'}[1]`;
  const prefixOf = (issue: z.core.$ZodIssue): string => {
    const top = issue.path[0] ?? (issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined);
    if (typeof top === 'string' && fromSteps && top in fromSteps) return `steps.${name}`;
    if (typeof top === 'string' && fromEntry && top in fromEntry) return entryKey;
    // A missing option belongs where options are usually written: steps.<name>.
    if (isMissing(issue)) return `steps.${name}`;
    return fromEntry && !fromSteps ? entryKey : `steps.${name}`;
  };
  const described = formatConfigIssues(issues, schema);
  const lines = issues.map((issue, i) => {
    const line = isMissing(issue) ? `${formatConfigPath(issue.path)}: missing required option ${JSON.stringify(String(issue.path.at(-1)))}` : described[i]!;
    return `${prefixOf(issue)}.${line}`.replace(/\.\(top level\)/, '');
  });
  const first = lines[0]!;
  throw invalidConfig(spec.source, first, {
    key: first.split(':')[0],
    plugin: loaded.origin,
    detail: lines.slice(1).join('\n') || undefined,
    fix: isMissing(issues[0]!) ? whereToSet(spec, loaded, issues[0]!.path) : `correct the options of the ${name} step (${optionsDocs(loaded)})`,
  });
}

// A required key that was not given at all (zod reports it as a value of the wrong type, "received undefined").
function isMissing(issue: z.core.$ZodIssue): boolean {
  return issue.code === 'invalid_type' && issue.input === undefined && issue.path.length > 0;
}

// Where a missing option can be written: steps.<name>, or the object next to the plugin in "plugins".
function whereToSet(spec: ClusterSpec, loaded: LoadedPlugin, at: readonly PropertyKey[]): string {
  const name = loaded.plugin.name;
  const docs = optionsDocs(loaded);
  if (at.length > 1) return `add ${JSON.stringify(String(at.at(-1)))} at steps.${name}.${formatConfigPath(at.slice(0, -1))} (${docs})`;
  const key = JSON.stringify(String(at[0]));
  const inSteps = `"steps": { "${name}": { ${key}: … } }`;
  const entry = loaded.configKey ? spec.plugins?.find((p) => p.key === loaded.configKey) : undefined;
  const inEntry = entry ? `, or next to the plugin in ${entry.key}: ["${entry.specifier}", { ${key}: … }]` : '';
  return `set it in the config: ${inSteps}${inEntry} (${docs})`;
}

// Where a step's options are described: a local file's schema is in the file itself (it has no README).
function optionsDocs(loaded: LoadedPlugin): string {
  if (path.isAbsolute(loaded.origin)) return `its options are the schema in ${loaded.origin}`;
  if (loaded.builtin) return `see "Config reference" in hotstandby's README`;
  if (loaded.configKey) return 'see its README';
  return 'see its options schema';
}
