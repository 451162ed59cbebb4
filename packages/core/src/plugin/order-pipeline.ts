import { HotstandbyError } from '../errors/hotstandby-error.js';
import { duplicateStep, unknownPipelineStep } from '../errors/error-factories.js';

// A step available to the pipeline, with where it came from (for messages).
export interface OrderableStep {
  name: string;
  origin: string;
  before?: readonly string[];
  after?: readonly string[];
}

// Put steps in order: the explicit list first (or the default order), then every other step where its
// before/after constraints place it. Unknown names, duplicates and cycles are refused with the culprit named.
export function orderPipeline<T extends OrderableStep>(available: readonly T[], explicit: readonly string[] | undefined, defaultOrder: readonly string[]): T[] {
  const byName = new Map<string, T>();
  for (const step of available) {
    const other = byName.get(step.name);
    if (other) {
      throw duplicateStep(step.name, other.origin, step.origin, { where: { plugin: step.origin }, fix: 'remove one of them, or disable the built-in step it replaces' });
    }
    byName.set(step.name, step);
  }
  const base = explicit ?? defaultOrder.filter((n) => byName.has(n));
  const seen = new Set<string>();
  for (const name of base) {
    if (!byName.has(name)) {
      throw unknownPipelineStep(name, [...byName.keys()], { where: { key: 'pipeline' } });
    }
    if (seen.has(name)) throw new HotstandbyError('PLUGIN_INVALID', `the pipeline lists "${name}" twice`, { where: { key: 'pipeline' }, fix: 'list every step once' });
    seen.add(name);
  }
  // Steps the user did not place join only if they say where they go (or no explicit pipeline was given).
  const extras = available.filter((s) => !seen.has(s.name) && (explicit === undefined || (s.before?.length ?? 0) + (s.after?.length ?? 0) > 0));
  const included = [...base.map((n) => byName.get(n)!), ...extras];
  const names = new Set(included.map((s) => s.name));

  const edges = new Map<string, Set<string>>(included.map((s) => [s.name, new Set<string>()]));
  const addEdge = (from: string, to: string, step: T) => {
    if (!names.has(from) || !names.has(to)) {
      const missing = names.has(from) ? to : from;
      const placeIt = `place "${step.name}" yourself in "pipeline" (then its before/after are not used)`;
      // A name no step has at all is most likely a typo: adding it to the pipeline is impossible.
      if (!byName.has(missing)) {
        throw new HotstandbyError('PLUGIN_INVALID', `step "${step.name}" (${step.origin}) wants to run relative to "${missing}", but no step of that name exists (a typo?)`, {
          where: { plugin: step.origin },
          fix: `name one of the known steps in its before/after: ${[...byName.keys()].filter((n) => n !== step.name).join(', ')} (or ${placeIt})`,
        });
      }
      throw new HotstandbyError('PLUGIN_INVALID', `step "${step.name}" (${step.origin}) wants to run relative to "${missing}", which is not in the pipeline`, {
        where: { plugin: step.origin },
        fix: `add "${missing}" to the pipeline, or ${placeIt}`,
      });
    }
    edges.get(from)!.add(to);
  };
  for (let i = 1; i < base.length; i++) edges.get(base[i - 1]!)!.add(base[i]!);
  // A step the list places (the user's pipeline, or the default order) stays where it is put: its own before/after
  // only say where it goes when nobody placed it.
  for (const step of included) {
    if (seen.has(step.name)) continue;
    for (const target of step.before ?? []) addEdge(step.name, target, step);
    for (const target of step.after ?? []) addEdge(target, step.name, step);
  }

  // Ties are broken by position: listed steps by their place, an unplaced step right after (or before) the
  // step it names, so `after: ["base-backup"]` runs right after base-backup, not at the end.
  const rank = new Map<string, number>(base.map((n, i) => [n, i]));
  for (const step of extras) {
    const afterRanks = (step.after ?? []).map((n) => rank.get(n)).filter((r): r is number => r !== undefined);
    const beforeRanks = (step.before ?? []).map((n) => rank.get(n)).filter((r): r is number => r !== undefined);
    rank.set(step.name, afterRanks.length ? Math.max(...afterRanks) + 0.5 : beforeRanks.length ? Math.min(...beforeRanks) - 0.5 : base.length);
  }
  const indegree = new Map(included.map((s) => [s.name, 0]));
  for (const targets of edges.values()) for (const t of targets) indegree.set(t, indegree.get(t)! + 1);
  const ready = included.filter((s) => indegree.get(s.name) === 0).map((s) => s.name);
  const out: T[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => rank.get(a)! - rank.get(b)!);
    const name = ready.shift()!;
    out.push(byName.get(name)!);
    for (const t of edges.get(name)!) {
      indegree.set(t, indegree.get(t)! - 1);
      if (indegree.get(t) === 0) ready.push(t);
    }
  }
  if (out.length !== included.length) {
    const stuck = included.filter((s) => !out.includes(s)).map((s) => `${s.name} (${s.origin})`);
    throw new HotstandbyError('PLUGIN_INVALID', `the step order has a cycle among: ${stuck.join(', ')}`, {
      where: explicit ? { key: 'pipeline' } : {},
      fix: explicit
        ? 'change the before/after of these plugins or the order of the pipeline list'
        : 'change the before/after of these plugins so that they do not wait for each other',
    });
  }
  return out;
}
