// SASLprep (RFC 4013) as PostgreSQL applies it to SCRAM passwords; falls back to the raw password like the server does.

const MAPPED_TO_NOTHING = /[\u00AD\u034F\u1806\u180B-\u180D\u200C\u200D\u2060\uFE00-\uFE0F\uFEFF]/g;
const NON_ASCII_SPACE = /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g;
// Control characters, private use (BMP and planes 15-16), non-characters, surrogates and the other tables
// RFC 4013 prohibits; code points outside the BMP are otherwise allowed, as in PostgreSQL.
const PROHIBITED =
  /[\u0000-\u001F\u007F-\u009F\u06DD\u070F\u180E\u200E\u200F\u2028-\u202E\u2060-\u2063\u206A-\u206F\uFEFF\uFFF9-\uFFFD\uE000-\uF8FF\u0340\u0341\u2FF0-\u2FFB\u{F0000}-\u{FFFFD}\u{100000}-\u{10FFFD}\u{1FFFE}\u{1FFFF}\u{2FFFE}\u{2FFFF}\u{E0001}\u{E0020}-\u{E007F}]/u;
const RAND_AL_CAT = /[\u05BE\u05C0\u05C3\u05D0-\u05EA\u05F0-\u05F4\u061B\u061F\u0621-\u063A\u0640-\u064A\u066D-\u066F\u0671-\u06D5\u06DD\u06E5\u06E6\u06FA-\u06FE\u0700-\u070D\u0710\u0712-\u072C\u0780-\u07A5\u07B1\u200F\uFB1D\uFB1F-\uFB28\uFB2A-\uFB36\uFB38-\uFB3C\uFB3E\uFB40\uFB41\uFB43\uFB44\uFB46-\uFBB1\uFBD3-\uFD3D\uFD50-\uFD8F\uFD92-\uFDC7\uFDF0-\uFDFC\uFE70-\uFE74\uFE76-\uFEFC]/;
const L_CAT = /[A-Za-z\u00AA\u00B5\u00BA\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u0220\u0250-\u02AD\u0370-\u03FF\u0400-\u0482\u048A-\u052F\u0531-\u0556\u0561-\u0587\u0900-\u0DFF\u0E00-\u0FFF\u1000-\u10FF\u1100-\u11FF\u3040-\u30FF\u4E00-\u9FFF\uAC00-\uD7A3]/;

// The string SCRAM hashes for this password: prepared when SASLprep allows it, the raw password otherwise.
export function saslprepOrRaw(password: string): string {
  // ASCII-only passwords pass through unchanged (PostgreSQL's fast path).
  if (/^[\x00-\x7F]*$/.test(password)) return password;
  const mapped = password.replace(MAPPED_TO_NOTHING, '').replace(NON_ASCII_SPACE, ' ').normalize('NFKC');
  if (mapped.length === 0 || PROHIBITED.test(mapped)) return password;
  if (RAND_AL_CAT.test(mapped)) {
    const chars = [...mapped];
    if (L_CAT.test(mapped)) return password;
    if (!RAND_AL_CAT.test(chars[0]!) || !RAND_AL_CAT.test(chars[chars.length - 1]!)) return password;
  }
  return mapped;
}
