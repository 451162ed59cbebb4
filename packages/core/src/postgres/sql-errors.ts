import { HotstandbyError } from '../errors/hotstandby-error.js';
import { NOT_READY_STATES, type PgServerError } from './sql-session.js';

// The SQL_FAILED error for a failed statement, keeping the SQLSTATE for callers that expect one.
export function sqlFailed(node: string, sql: string, error: PgServerError): HotstandbyError {
  const state = error.code ? ` [${error.code}]` : '';
  return new HotstandbyError('SQL_FAILED', `${node}: ${error.message}${state}`, {
    where: { node },
    detail: [`statement: ${sql.split('\n')[0]}`, error.detail, error.hint].filter(Boolean).join('\n'),
    cause: error,
  });
}

// The SQLSTATE of an error raised by a query, if it came from the server.
export function sqlStateOf(error: unknown): string | undefined {
  const cause = (error as { cause?: PgServerError })?.cause;
  return cause?.code ?? (error as PgServerError)?.code;
}

// True when the error means the server is there but not accepting queries yet (starting, shutting down).
export function isNotReady(error: unknown): boolean {
  const state = sqlStateOf(error);
  return state !== undefined && NOT_READY_STATES.has(state);
}
