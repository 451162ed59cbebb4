import type { z } from 'zod';

// A config path as users write it: standbys[0].port.
export function formatConfigPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(top level)';
}

// One readable line per schema problem, with the known keys and a close spelling for unknown ones.
export function formatConfigIssues(issues: readonly z.core.$ZodIssue[], schema: z.ZodType): string[] {
  return issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(schema, issue.path);
      return issue.keys
        .map((key) => {
          const where = formatConfigPath([...issue.path, key]);
          const guess = closest(key, known);
          const hint = guess ? ` (did you mean "${guess}"?)` : '';
          return `${where}: unknown key${hint}; known keys here: ${known.join(', ') || 'none'}`;
        })
        .join('\n');
    }
    const secretKey = issue.path.some((p) => typeof p === 'string' && /password/i.test(p));
    // A union's message about a list already says which item is wrong; ", got a list" would only confuse.
    const listUnion = issue.code === 'invalid_union' && Array.isArray(issue.input);
    const got = 'input' in issue && issue.input !== undefined && !secretKey && !listUnion ? `, got ${describeValue(issue.input)}` : '';
    return `${formatConfigPath(issue.path)}: ${issue.message}${got}`;
  });
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? value.slice(0, 57) + '...' : value);
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

// The keys an object schema accepts at a path (through optional, array, union and pipe wrappers).
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: unknown = schema;
  const unwrap = (s: unknown): unknown[] => {
    const def = (s as { _zod?: { def?: Record<string, unknown> } })?._zod?.def;
    if (!def) return [s];
    switch (def.type) {
      case 'optional':
      case 'nullable':
      case 'default':
      case 'readonly':
        return unwrap(def.innerType);
      case 'pipe':
        return unwrap(def.in);
      case 'union':
        return (def.options as unknown[]).flatMap(unwrap);
      default:
        return [s];
    }
  };
  let candidates = unwrap(current);
  for (const part of path) {
    const next: unknown[] = [];
    for (const c of candidates) {
      const def = (c as { _zod: { def: Record<string, unknown> } })._zod.def;
      if (def.type === 'array' && typeof part === 'number') next.push(...unwrap(def.element));
      if (def.type === 'object' && typeof part === 'string') {
        const shape = def.shape as Record<string, unknown>;
        if (shape[part]) next.push(...unwrap(shape[part]));
      }
    }
    candidates = next;
  }
  current = candidates.find((c) => (c as { _zod: { def: { type: string } } })._zod.def.type === 'object');
  if (!current) return [];
  return Object.keys((current as { _zod: { def: { shape: Record<string, unknown> } } })._zod.def.shape).filter((k) => k !== '$schema');
}

function closest(word: string, options: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const option of options) {
    const d = editDistance(word.toLowerCase(), option.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = option;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
