import { stat } from 'node:fs/promises';

// Why a passfile would not serve (libpq ignores one that group or others can read: "no password supplied"), or
// could be read by someone else: its mode is not 0600 or less, or another user owns it. Undefined when it is
// fine or does not exist.
export async function passfileModeProblem(file: string, ownerUid: number): Promise<string | undefined> {
  const facts = await stat(file).catch(() => undefined);
  if (!facts) return undefined;
  const mode = facts.mode & 0o777;
  const problems: string[] = [];
  if (mode & 0o077) problems.push(`mode 0${mode.toString(8)}, which libpq ignores (group or others can read it)`);
  if (facts.uid !== ownerUid) problems.push(`owned by uid ${facts.uid} instead of ${ownerUid}`);
  return problems.length ? problems.join(', ') : undefined;
}
