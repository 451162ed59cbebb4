// Quoting for every layer a user value can reach: SQL, postgresql.conf, libpq conninfo, pg_hba.conf, .pgpass and sh.

// A SQL identifier, always double-quoted so reserved words, capitals and quotes survive.
export function quoteIdent(name: string): string {
  refuseNul(name, 'identifier');
  return `"${name.replace(/"/g, '""')}"`;
}

// A SQL string literal that is correct whatever standard_conforming_strings says.
export function quoteLiteral(value: string): string {
  refuseNul(value, 'literal');
  const doubled = value.replace(/'/g, "''");
  return value.includes('\\') ? `E'${doubled.replace(/\\/g, '\\\\')}'` : `'${doubled}'`;
}

// A string value in postgresql.conf / postgresql.auto.conf / recovery.conf: quotes and backslashes doubled.
export function quoteGucString(value: string): string {
  refuseNul(value, 'configuration value');
  if (/[\r\n]/.test(value)) throw new RangeError('a configuration value cannot contain a line break');
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

// Reverse of quoteGucString for a value read from a conf file (with or without quotes).
export function unquoteGucString(raw: string): string {
  const trimmed = raw.trim();
  if (!trimmed.startsWith("'")) return trimmed;
  let out = '';
  for (let i = 1; i < trimmed.length; i++) {
    const c = trimmed[i]!;
    if (c === "'") {
      if (trimmed[i + 1] === "'") {
        out += "'";
        i++;
        continue;
      }
      break;
    }
    if (c === '\\' && i + 1 < trimmed.length) {
      const octal = /^[0-7]{1,3}/.exec(trimmed.slice(i + 1))?.[0];
      if (octal) {
        out += String.fromCharCode(parseInt(octal, 8));
        i += octal.length;
        continue;
      }
      const next = trimmed[i + 1]!;
      const escapes: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      out += escapes[next] ?? next;
      i++;
      continue;
    }
    out += c;
  }
  return out;
}

// One value in a libpq connection string: bare when safe, otherwise single-quoted with \ and ' escaped.
export function quoteConninfoValue(value: string): string {
  refuseNul(value, 'connection parameter');
  if (value.length > 0 && /^[A-Za-z0-9_./:@+-]+$/.test(value)) return value;
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

// A libpq keyword=value connection string from ordered parameters (undefined values are left out).
export function buildConninfo(params: Record<string, string | number | undefined>): string {
  return Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${quoteConninfoValue(String(v))}`)
    .join(' ');
}

// Parse a libpq keyword=value connection string back into its parameters.
export function parseConninfo(conninfo: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  const s = conninfo;
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i]!)) i++;
    if (i >= s.length) break;
    let key = '';
    while (i < s.length && s[i] !== '=' && !/\s/.test(s[i]!)) key += s[i++];
    while (i < s.length && /\s/.test(s[i]!)) i++;
    if (s[i] !== '=') throw new SyntaxError(`missing "=" after "${key}" in connection string`);
    i++;
    while (i < s.length && /\s/.test(s[i]!)) i++;
    let value = '';
    if (s[i] === "'") {
      i++;
      while (i < s.length && s[i] !== "'") {
        if (s[i] === '\\' && i + 1 < s.length) i++;
        value += s[i++];
      }
      if (s[i] !== "'") throw new SyntaxError('unterminated quoted value in connection string');
      i++;
    } else {
      while (i < s.length && !/\s/.test(s[i]!)) {
        if (s[i] === '\\' && i + 1 < s.length) i++;
        value += s[i++];
      }
    }
    out[key] = value;
  }
  return out;
}

// A user or database name in pg_hba.conf: always double-quoted (so all, replication, +x, @x, /x are literal).
export function quoteHbaName(name: string): string {
  refuseNul(name, 'pg_hba.conf name');
  if (/[\r\n]/.test(name)) throw new RangeError('a pg_hba.conf name cannot contain a line break');
  return `"${name.replace(/"/g, '""')}"`;
}

// One field of a .pgpass line, with : and \ escaped as libpq expects.
export function escapePgpassField(value: string): string {
  refuseNul(value, '.pgpass field');
  if (/[\r\n]/.test(value)) throw new RangeError('a .pgpass field cannot contain a line break');
  return value.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
}

// A .pgpass line: host:port:database:user:password.
export function pgpassLine(host: string, port: string | number, database: string, user: string, password: string): string {
  return [host, String(port), database, user, password].map((f) => (f === '*' ? '*' : escapePgpassField(f))).join(':');
}

// A word for a POSIX shell command line (archive_command, restore_command, generated scripts).
export function quoteShellArg(value: string): string {
  refuseNul(value, 'shell argument');
  if (value.length > 0 && /^[A-Za-z0-9_./:=@%+-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

// A path inside archive_command/restore_command, where PostgreSQL expands %p, %f, %r and %%.
export function escapePercent(value: string): string {
  return value.replace(/%/g, '%%');
}

function refuseNul(value: string, what: string): void {
  if (value.includes('\0')) throw new RangeError(`a ${what} cannot contain a NUL character`);
}
