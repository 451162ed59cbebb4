import type { z } from 'zod';
import type { ClusterSpec } from '../config/cluster-spec.js';
import { formatConfigIssues } from '../config/format-config-issues.js';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import type { LoadedPlugin } from './resolve-steps.js';

// A step's options: those written next to the plugin (["pkg", { ... }]) overlaid key by key with
// "steps.<name>" (which wins), validated by the plugin's schema (defaults applied). A bad value is refused
// naming the config key it came from.
export function stepOptions(spec: ClusterSpec, loaded: LoadedPlugin): unknown {
  const name = loaded.plugin.name;
  const fromSteps = spec.steps[name];
  const fromEntry = loaded.options;
  const raw = { ...fromEntry, ...fromSteps };
  const schema = loaded.plugin.options as z.ZodType | undefined;
  if (!schema) return raw;
  const parsed = schema.safeParse(raw, { reportInput: true });
  if (parsed.success) return parsed.data;

  const entryKey = `${loaded.configKey ?? 'plugins'}[1]`;
  const prefixOf = (issue: z.core.$ZodIssue): string => {
    const top = issue.path[0] ?? (issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined);
    if (typeof top === 'string' && fromSteps && top in fromSteps) return `steps.${name}`;
    if (typeof top === 'string' && fromEntry && top in fromEntry) return entryKey;
    return fromEntry && !fromSteps ? entryKey : `steps.${name}`;
  };
  const lines = formatConfigIssues(parsed.error.issues, schema).map((line, i) => `${prefixOf(parsed.error.issues[i]!)}.${line}`.replace(/\.\(top level\)/, ''));
  const first = lines[0]!;
  throw new HotstandbyError('CONFIG_INVALID', `invalid config in ${spec.source.path ?? 'the config'}: ${first}`, {
    where: { key: first.split(':')[0], file: spec.source.path, plugin: loaded.origin },
    detail: lines.slice(1).join('\n') || undefined,
    fix: `correct the options of the ${name} step (see its README)`,
  });
}
