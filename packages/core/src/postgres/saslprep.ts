import { createRequire } from 'node:module';

// The SASLprep implementation, loaded on the first non-ASCII password: building its tables costs every command
// that starts the engine tens of milliseconds, and most passwords never need it.
let saslprep: ((input: string) => string) | undefined;

// The string SCRAM hashes for this password, as libpq and the server prepare it (RFC 4013 SASLprep, through a
// maintained implementation): the prepared password, or the raw one when SASLprep refuses it (a prohibited or
// unassigned code point, a bidi violation) or leaves nothing.
export function saslprepOrRaw(password: string): string {
  // ASCII-only passwords pass through unchanged (PostgreSQL's fast path).
  if (/^[\x00-\x7F]*$/.test(password)) return password;
  saslprep ??= (createRequire(import.meta.url)('@mongodb-js/saslprep') as { saslprep: (input: string) => string }).saslprep;
  try {
    const prepared = saslprep(password);
    return prepared.length === 0 ? password : prepared;
  } catch {
    return password;
  }
}
