// The rows a statement returned, and how many rows it affected (null for statements that report none).
export interface SqlResult<R> {
  rows: R[];
  rowCount: number | null;
}

// One SQL connection, as PgNode.session and openSession hand it out: run statements (with $1 parameters) in one
// session, then end it. A node-postgres Client underneath; its own type stays out of the public API, so library and
// plugin code needs no @types/pg.
export interface SqlClient {
  query<R = any>(text: string, values?: unknown[]): Promise<SqlResult<R>>;
  end(): Promise<void>;
}
