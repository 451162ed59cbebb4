// A write PostgreSQL refused on a standby, as its server log tells it.
export interface WriteAttempt {
  // The ERROR line's message ("cannot execute INSERT in a read-only transaction").
  error: string;
  // The statement it was refused for (the STATEMENT line after it), when the log has one.
  statement?: string;
}

// The refused writes in a stretch of a standby's server log: every "cannot execute … in a read-only transaction"
// (or "… during recovery") ERROR, with the STATEMENT line that follows it (log_min_error_statement, on by default),
// whatever log_line_prefix puts before them. Statement lines that continue on the next lines are joined.
export function writeAttemptsIn(log: string): WriteAttempt[] {
  const lines = log.split('\n');
  const attempts: WriteAttempt[] = [];
  for (let i = 0; i < lines.length; i++) {
    const error = /ERROR:\s+(cannot execute .* (?:in a read-only transaction|during recovery))\s*$/.exec(lines[i]!)?.[1];
    if (!error) continue;
    const attempt: WriteAttempt = { error };
    const statementAt = lines.findIndex((line, j) => j > i && j <= i + 3 && /\bSTATEMENT:\s/.test(line));
    if (statementAt > 0) {
      const parts = [lines[statementAt]!.replace(/^.*?\bSTATEMENT:\s+/, '')];
      // A multi-line statement continues on lines that carry no prefix of their own (they start with a tab).
      for (let j = statementAt + 1; j < lines.length && /^\t/.test(lines[j]!); j++) parts.push(lines[j]!.trim());
      attempt.statement = parts.join(' ');
    }
    attempts.push(attempt);
  }
  return attempts;
}
