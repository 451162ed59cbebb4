import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import type { Machine } from '../hosts/machine.js';
import { onWindows } from '../util/platform.js';
import { quoteIdent } from './quoting.js';
import { sqlFailed } from './sql-errors.js';
import { openClient } from './pg-client.js';
import { NOT_READY_STATES, type ConnectTarget, type PgServerError } from './sql-session.js';
import { timed } from '../util/timings.js';

// A node's superuser connections: one per database, shared by concurrent callers (the promise is cached, so
// two callers never open two), queries queued one after another, and the first connection checked to be the
// node's own server (not another cluster answering on its port). The target says where a client here reaches the
// server (through the SSH connection for a node on another machine); its data directory is resolved on its machine.
export class NodeConnections {
  private readonly clients = new Map<string, Promise<pg.Client>>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private identityChecked = false;

  constructor(
    private readonly node: string,
    private readonly dataDir: string,
    private readonly target: (database: string) => ConnectTarget | Promise<ConnectTarget>,
    private readonly machine?: Machine,
  ) {}

  // Run SQL and return the rows; a failed statement becomes SQL_FAILED with its SQLSTATE kept.
  query<T>(sql: string, params: readonly unknown[], database: string): Promise<T[]> {
    const run = async (): Promise<T[]> => {
      const client = await this.client(database);
      try {
        return (await client.query(sql, params as unknown[])).rows as T[];
      } catch (error) {
        const pgError = error as PgServerError;
        if (!pgError.code || NOT_READY_STATES.has(pgError.code)) this.drop(database, client);
        throw sqlFailed(this.node, sql, pgError);
      }
    };
    const next = (this.queues.get(database) ?? Promise.resolve()).then(run, run);
    this.queues.set(
      database,
      next.catch(() => undefined),
    );
    return next;
  }

  // Close every connection.
  async close(): Promise<void> {
    const clients = [...this.clients.values()];
    this.clients.clear();
    this.queues.clear();
    await Promise.all(clients.map((p) => p.then((c) => c.end()).catch(() => undefined)));
  }

  private client(database: string): Promise<pg.Client> {
    const cached = this.clients.get(database);
    if (cached) return cached;
    const connecting = this.connect(database);
    this.clients.set(database, connecting);
    connecting.catch(() => {
      if (this.clients.get(database) === connecting) this.clients.delete(database);
    });
    return connecting;
  }

  private async connect(database: string): Promise<pg.Client> {
    const client = await timed(`login ${this.node} ${database}`, async () => openClient(await this.target(database)));
    client.on('error', () => this.drop(database, client));
    client.on('end', () => this.drop(database, client));
    try {
      if (!this.identityChecked) await timed(`identity check ${this.node}`, () => this.checkIdentity(client));
    } catch (error) {
      // An open socket would keep the process alive after the error is reported.
      await client.end().catch(() => undefined);
      throw error;
    }
    return client;
  }

  private drop(database: string, client: pg.Client): void {
    const cached = this.clients.get(database);
    cached?.then(
      (c) => {
        if (c === client && this.clients.get(database) === cached) this.clients.delete(database);
      },
      () => undefined,
    );
    client.end().catch(() => undefined);
  }

  private async checkIdentity(client: pg.Client): Promise<void> {
    const row = await this.checkSuperuser(client);
    const remote = this.machine?.remote === true;
    if (!remote && onWindows()) return this.checkIdentityByLockFile(client);
    const resolve = (dir: string) => (remote ? this.machine!.realpath(dir) : realpath(dir)).catch(() => dir);
    const mine = await resolve(this.dataDir);
    const theirs = await resolve(row.dir);
    if (mine !== theirs) {
      throw new HotstandbyError('FOREIGN_INSTANCE', `the server on this node's port serves ${theirs}, not ${this.node}'s data directory ${mine}`, {
        where: { node: this.node },
        fix: `stop that server or give ${this.node} another port`,
      });
    }
    this.identityChecked = true;
  }

  // On Windows the server reports its data directory in the system's ANSI code page, which a UTF-8 database
  // passes on undecodable, and spells it with other slashes: instead, the lock file the server reads in its own
  // data directory must be this data directory's postmaster.pid (same PID, directory, start time and port).
  private async checkIdentityByLockFile(client: pg.Client): Promise<void> {
    const row = (await client.query("SELECT encode(pg_read_binary_file('postmaster.pid'), 'hex') AS lock")).rows[0] as { lock: string };
    const theirs = Buffer.from(row.lock, 'hex');
    const mine = await readFile(path.join(this.dataDir, 'postmaster.pid')).catch(() => Buffer.alloc(0));
    const head = (bytes: Buffer) => bytes.toString('latin1').split(/\r?\n/).slice(0, 4).join('\n');
    if (mine.length === 0 || head(mine) !== head(theirs)) {
      throw new HotstandbyError(
        'FOREIGN_INSTANCE',
        `the server on this node's port (PID ${head(theirs).split('\n')[0]}) is not the one ${this.node}'s data directory ${this.dataDir} runs`,
        {
          where: { node: this.node },
          fix: `stop that server or give ${this.node} another port`,
        },
      );
    }
    this.identityChecked = true;
  }

  // The tool reads pg_authid, server paths and settings only a superuser may see: a configured superuser that
  // is not one is named before any of that fails with a permission error. One round trip also returns the data
  // directory (read only when the role may read it).
  private async checkSuperuser(client: pg.Client): Promise<{ dir: string }> {
    const row = (
      await client.query("SELECT current_user AS name, rolsuper, CASE WHEN rolsuper THEN current_setting('data_directory') END AS dir FROM pg_roles WHERE rolname = current_user")
    ).rows[0] as { name: string; rolsuper: boolean; dir: string | null } | undefined;
    if (row?.rolsuper && row.dir !== null) return { dir: row.dir };
    const name = row?.name ?? client.user ?? '';
    throw new HotstandbyError('CONFIG_INVALID', `superuser.name is "${name}", but that role is not a superuser on ${this.node}`, {
      where: { node: this.node, key: 'superuser.name' },
      fix: `set superuser.name (and its password) to a superuser role of that server (SELECT rolname FROM pg_roles WHERE rolsuper), or make it one: ALTER ROLE ${quoteIdent(name)} SUPERUSER`,
    });
  }
}
