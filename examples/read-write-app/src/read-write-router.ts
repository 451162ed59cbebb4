import pg from 'pg';

// SQLSTATEs that mean "this node is not (or no longer) the primary to write to": a write on a standby, and the
// server shutting down or not accepting connections (a switchover or failover under way).
const NOT_THE_PRIMARY = new Set(['25006', '57P01', '57P02', '57P03', '08006', '08003']);

// A node-postgres read/write router: writes go to the node that is the primary, reads to the replicas in turn.
// node-postgres takes one host per pool, so the router keeps a pool per node and finds the primary itself: it
// probes pg_is_in_recovery() on every node at the start and again after a write failed because the node it wrote
// to stopped being the primary, so it follows a switchover without a restart.
export class ReadWriteRouter {
  private readonly pools: pg.Pool[];
  private primary: pg.Pool | undefined;
  private replicas: pg.Pool[] = [];
  private next = 0;

  constructor(nodes: readonly pg.PoolConfig[]) {
    this.pools = nodes.map((config) => {
      const pool = new pg.Pool({ max: 4, connectionTimeoutMillis: 5_000, ...config });
      // A server that goes away under an idle client: the next query finds out and the router re-probes.
      pool.on('error', () => undefined);
      return pool;
    });
  }

  // The port of the node writes go to now (undefined until the first probe).
  get primaryPort(): number | undefined {
    return this.primary?.options.port;
  }

  // Run a write on the primary. On a failure that says the node is not the primary any more, re-probe and try
  // again until retryForMs is over: the statement must be safe to repeat (the app writes with idempotency keys).
  async write<R extends pg.QueryResultRow>(text: string, values: unknown[] = [], retryForMs = 30_000): Promise<pg.QueryResult<R>> {
    const deadline = Date.now() + retryForMs;
    for (let attempt = 0; ; attempt++) {
      try {
        const primary = this.primary ?? (await this.probe());
        return await primary.query<R>(text, values);
      } catch (error) {
        if (!isNotThePrimary(error) || Date.now() > deadline) throw error;
        this.primary = undefined;
        // Back off a little while the nodes change roles (capped at 200 ms).
        await new Promise((resolve) => setTimeout(resolve, Math.min(200, 10 * 2 ** attempt)));
      }
    }
  }

  // Run a read on a replica (in turn), or on the primary when there is none. A replica may be behind the primary.
  async read<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
    if (!this.primary) await this.probe();
    const pool = this.replicas.length ? this.replicas[this.next++ % this.replicas.length]! : this.primary!;
    return pool.query<R>(text, values);
  }

  // Run a read on the primary: for reading what this session just wrote.
  async readFresh<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
    return this.write<R>(text, values);
  }

  // Ask every node whether it is in recovery; the one that is not is the primary.
  async probe(): Promise<pg.Pool> {
    const roles = await Promise.all(
      this.pools.map(async (pool) => {
        try {
          return { pool, inRecovery: (await pool.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0]!.r };
        } catch {
          return { pool, inRecovery: undefined };
        }
      }),
    );
    const primary = roles.find((r) => r.inRecovery === false)?.pool;
    this.replicas = roles.filter((r) => r.inRecovery === true).map((r) => r.pool);
    if (!primary) throw Object.assign(new Error('no node accepts writes now'), { code: '57P03' });
    this.primary = primary;
    return primary;
  }

  async end(): Promise<void> {
    await Promise.all(this.pools.map((p) => p.end()));
  }
}

function isNotThePrimary(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return (code !== undefined && NOT_THE_PRIMARY.has(code)) || code === 'ECONNREFUSED' || code === 'ECONNRESET' || /Connection terminated/.test(String(error));
}
