import { stat } from 'node:fs/promises';
import { onWindows } from '../util/platform.js';

// Why a passfile would not serve (libpq ignores one that group or others can read: "no password supplied"), or
// could be read by someone else: its mode is not 0600 or less, or another user owns it. Undefined when it is
// fine or does not exist. Never on Windows: Node reports no real mode or owner there and libpq does not check
// them (the secrets are protected by the state directory's access list instead).
export async function passfileModeProblem(file: string, ownerUid: number, platform: NodeJS.Platform = process.platform): Promise<string | undefined> {
  if (onWindows(platform)) return undefined;
  return passfileFactsProblem(await stat(file).catch(() => undefined), ownerUid);
}

// The same judgement of a passfile's mode and owner as found (on any machine; undefined facts: no file).
export function passfileFactsProblem(facts: { mode: number; uid: number } | undefined, ownerUid: number): string | undefined {
  if (!facts) return undefined;
  const mode = facts.mode & 0o777;
  const problems: string[] = [];
  if (mode & 0o077) problems.push(`mode 0${mode.toString(8)}, which libpq ignores (group or others can read it)`);
  if (facts.uid !== ownerUid) problems.push(`owned by uid ${facts.uid} instead of ${ownerUid}`);
  return problems.length ? problems.join(', ') : undefined;
}
