import { saslprep } from '@mongodb-js/saslprep';

// The string SCRAM hashes for this password, as libpq and the server prepare it (RFC 4013 SASLprep, through a
// maintained implementation): the prepared password, or the raw one when SASLprep refuses it (a prohibited or
// unassigned code point, a bidi violation) or leaves nothing.
export function saslprepOrRaw(password: string): string {
  // ASCII-only passwords pass through unchanged (PostgreSQL's fast path).
  if (/^[\x00-\x7F]*$/.test(password)) return password;
  try {
    const prepared = saslprep(password);
    return prepared.length === 0 ? password : prepared;
  } catch {
    return password;
  }
}
