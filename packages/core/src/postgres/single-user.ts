import { HotstandbyError } from '../errors/hotstandby-error.js';
import type { PgBinaries } from './binaries.js';
import type { ServerUser } from './os-user.js';
import { runProgram } from './process-runner.js';

// Run SQL statements (one per line) on a stopped data directory in PostgreSQL's single-user mode, as the
// server's OS user: no port, no authentication. The statements go through standard input, never the arguments,
// and are never echoed into the output (log_min_error_statement=panic), which may end up in an error message.
// Single-user mode exits 0 after a failed statement, so an ERROR or FATAL line is the failure.
// postgres's arguments for a single-user session in the postgres database: statements are never echoed, no checkpoint
// is logged, and with fsync false (a throwaway cluster's) the session does not wait for its writes to reach the disk.
export function singleUserArgs(dataDir: string, options: { fsync?: boolean } = {}): string[] {
  const noFsync = options.fsync === false ? ['-c', 'fsync=off'] : [];
  return ['--single', '-D', dataDir, '-c', 'log_min_error_statement=panic', '-c', 'log_checkpoints=off', ...noFsync, 'postgres'];
}

export async function runSingleUser(
  binaries: PgBinaries,
  dataDir: string,
  user: ServerUser,
  statements: readonly string[],
  purpose: string,
  options: { fsync?: boolean } = {},
): Promise<void> {
  const result = await runProgram(binaries.path('postgres'), singleUserArgs(dataDir, options), {
    user,
    input: statements.map((s) => s.replace(/\n/g, ' ') + '\n').join(''),
    purpose,
    timeoutMs: 120_000,
  });
  const failures = result.stderr.split('\n').filter((line) => /\b(ERROR|FATAL|PANIC):/.test(line));
  if (failures.length > 0) {
    throw new HotstandbyError('COMMAND_FAILED', `${purpose} failed: ${failures[0]!.replace(/^.*?\b(ERROR|FATAL|PANIC):\s*/, '')}`, { detail: failures.join('\n') });
  }
}
