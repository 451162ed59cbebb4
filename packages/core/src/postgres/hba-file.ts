import { quoteHbaName } from './quoting.js';
import { joinLines, spliceLines, splitLines } from './text-lines.js';

// First and last line of the block hotstandby owns inside a user's pg_hba.conf.
export const HBA_BLOCK_BEGIN = '# BEGIN hotstandby: replication access (managed by hotstandby, edit the config instead)';
export const HBA_BLOCK_END = '# END hotstandby';

// One pg_hba.conf rule hotstandby writes.
export interface HbaRule {
  type: 'host' | 'hostssl' | 'local';
  database: string;
  user: string;
  address?: string;
  method: string;
}

// The rule as a pg_hba.conf line, with the user always quoted.
export function formatHbaRule(rule: HbaRule): string {
  // The keywords replication and all stay bare (they are keywords here); any other database name is quoted.
  const database = rule.database === 'replication' || rule.database === 'all' ? rule.database : quoteHbaName(rule.database);
  const cols = [rule.type.padEnd(7), database.padEnd(15), quoteHbaName(rule.user).padEnd(15)];
  if (rule.type !== 'local') cols.push((rule.address ?? '').padEnd(23));
  cols.push(rule.method);
  return cols.join(' ');
}

// Where the managed block is in the file (line indexes, inclusive), if present.
export function findManagedBlock(lines: readonly string[]): { start: number; end: number } | undefined {
  const start = lines.findIndex((l) => l.trim() === HBA_BLOCK_BEGIN);
  if (start < 0) return undefined;
  const endRel = lines.slice(start).findIndex((l) => l.trim() === HBA_BLOCK_END);
  if (endRel < 0) throw new SyntaxError(`pg_hba.conf has "${HBA_BLOCK_BEGIN}" without "${HBA_BLOCK_END}"`);
  return { start, end: start + endRel };
}

// The rule lines currently inside the managed block.
export function managedRules(content: string): string[] {
  const { lines } = splitLines(content);
  const block = findManagedBlock(lines);
  return block ? lines.slice(block.start + 1, block.end) : [];
}

// The pg_hba.conf text with the managed block holding exactly these rules, placed before the first rule
// so no earlier line can shadow it; with no rules the block is removed and the rest left byte for byte.
export function withManagedBlock(content: string, rules: readonly HbaRule[]): string {
  const text = splitLines(content);
  const existing = findManagedBlock(text.lines);
  if (existing) spliceLines(text, existing.start, existing.end - existing.start + 1);
  if (rules.length === 0) return joinLines(text);
  const firstRule = text.lines.findIndex((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  const at = firstRule < 0 ? text.lines.length : firstRule;
  spliceLines(text, at, 0, HBA_BLOCK_BEGIN, ...rules.map(formatHbaRule), HBA_BLOCK_END);
  return joinLines(text);
}

// The pg_hba.conf text with one more rule first in the managed block (a block holding only it when there is none);
// unchanged when the block already holds it.
export function withRuleInManagedBlock(content: string, rule: HbaRule): string {
  const line = formatHbaRule(rule);
  const text = splitLines(content);
  const block = findManagedBlock(text.lines);
  if (!block) return withManagedBlock(content, [rule]);
  if (text.lines.slice(block.start + 1, block.end).some((l) => l.trim() === line.trim())) return content;
  spliceLines(text, block.start + 1, 0, line);
  return joinLines(text);
}

// The pg_hba.conf text without that rule in the managed block (the block itself goes when nothing else is left in
// it, so adding a rule and removing it again gives back the same bytes); unchanged when the block lacks it.
export function withoutRuleInManagedBlock(content: string, rule: HbaRule): string {
  const line = formatHbaRule(rule).trim();
  const text = splitLines(content);
  const block = findManagedBlock(text.lines);
  if (!block) return content;
  const at = text.lines.slice(block.start + 1, block.end).findIndex((l) => l.trim() === line);
  if (at < 0) return content;
  if (block.end - block.start === 2) return withManagedBlock(content, []);
  spliceLines(text, block.start + 1 + at, 1);
  return withoutRuleInManagedBlock(joinLines(text), rule);
}
