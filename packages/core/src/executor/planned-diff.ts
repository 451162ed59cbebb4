import { createTwoFilesPatch } from 'diff';

// A unified diff between two versions of a file, as --dry-run prints it.
export function unifiedDiff(file: string, before: string | undefined, after: string, beforeLabel?: string): string[] {
  const patch = createTwoFilesPatch(beforeLabel ?? (before === undefined ? '/dev/null' : file), file, before ?? '', after, undefined, undefined, { context: 2 });
  return patch.split('\n').filter((l) => l !== '' && !/^(=+|Index: .*)$/.test(l));
}

// A diff for a file that does not exist yet but will (written by initdb or copied by the base backup): its
// exact old content is unknown, so the hunk says where the lines go instead of giving line numbers.
export function plannedInsertion(file: string, origin: string, where: string, lines: readonly string[]): string[] {
  return [`--- ${file} (${origin})`, `+++ ${file}`, `@@ ${where} @@`, ...lines.map((l) => `+${l}`)];
}
