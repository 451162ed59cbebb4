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
export async function resolvePassword(spec: PasswordSpec, file: string, options: { generate: boolean; persist?: boolean }): Promise<ResolvedPassword | undefined> {
  const found = await findPassword(spec, file);
  if (found) {
    registerSecret(found.value);
    return found;
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
