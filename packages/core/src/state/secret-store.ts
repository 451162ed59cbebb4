import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { PasswordSpec } from '../config/cluster-spec.js';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import { registerSecret } from '../secrets/secret-registry.js';
import { writeFileAtomic } from '../util/atomic-write.js';

// Where a password came from, for status lines (never the password itself).
export type PasswordSource = 'config' | 'env' | 'state' | 'generated';

// A password and where it came from.
export interface ResolvedPassword {
  value: string;
  source: PasswordSource;
}

// Find a password: the config, then its environment variable, then the state's 0600 file; generate and keep one
// when none exists and generating is allowed. Every password found is registered for masking.
export async function resolvePassword(
  spec: PasswordSpec,
  file: string,
  options: { generate: boolean; persist?: boolean; passfile?: { path: string; user: string } },
): Promise<ResolvedPassword | undefined> {
  const found = (await findPassword(spec, file)) ?? (options.passfile ? await fromPassfile(options.passfile.path, options.passfile.user) : undefined);
  if (found) {
    registerSecret(found.value);
    return found;
  }
  if (spec.envRequired) {
    const key = spec.key.replace(/\.password$/, '.passwordEnv');
    throw new HotstandbyError('CONFIG_INVALID', `${key} names the environment variable ${spec.env}, which is not set`, {
      where: { key },
      fix: `export ${spec.env}=<the password> before running hotstandby, or drop ${key} to let hotstandby generate and keep a password`,
    });
  }
  if (!options.generate) return undefined;
  const value = randomBytes(18).toString('base64url');
  registerSecret(value);
  if (options.persist !== false) {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await writeFileAtomic(file, value + '\n', { mode: 0o600 });
  }
  return { value, source: 'generated' };
}

async function findPassword(spec: PasswordSpec, file: string): Promise<ResolvedPassword | undefined> {
  if (spec.value) return { value: spec.value, source: 'config' };
  const fromEnv = process.env[spec.env];
  if (fromEnv) {
    if (/[\0\r\n]/.test(fromEnv)) {
      throw new HotstandbyError('CONFIG_INVALID', `the environment variable ${spec.env} (for ${spec.key}) contains a line break or NUL character`, {
        where: { key: spec.key },
        fix: `set ${spec.env} to a password without line breaks`,
      });
    }
    return { value: fromEnv, source: 'env' };
  }
  try {
    const stored = (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
    if (stored) return { value: stored, source: 'state' };
  } catch {
    // No stored password yet.
  }
  return undefined;
}

// A password the tool itself wrote into a pgpass-format file (so a password first given through an environment
// variable is still known to later commands).
async function fromPassfile(file: string, user: string): Promise<ResolvedPassword | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const fields = splitPgpassLine(line);
    if (fields?.[3] === user && fields[4]) return { value: fields[4], source: 'state' };
  }
  return undefined;
}

// The five fields of a .pgpass line, with \: and \\ unescaped.
export function splitPgpassLine(line: string): string[] | undefined {
  if (line.trim() === '' || line.startsWith('#')) return undefined;
  const fields: string[] = [];
  let current = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length) current += line[++i];
    else if (c === ':' && fields.length < 4) {
      fields.push(current);
      current = '';
    } else current += c;
  }
  fields.push(current);
  return fields.length === 5 ? fields : undefined;
}
