// What an application's own jest suite checks against the cluster the global setup started: a row written on the
// primary is read back from every replica once it has replayed the primary's WAL, and a replica refuses writes.
// The connection settings come from the environment the setup exported (HOTSTANDBY_APP_CLUSTER; the password
// stays in the passfile PGPASSFILE names, which node-postgres reads).
const { Client } = require('pg');

const cluster = JSON.parse(process.env.HOTSTANDBY_APP_CLUSTER);
const nodes = cluster.env.nodes;

async function connect(node) {
  const client = new Client({ host: node.host, port: node.port, user: cluster.env.user, database: cluster.env.database });
  await client.connect();
  return client;
}

// Poll a condition until it holds (every 50 ms, up to the time limit).
async function until(what, holds, limitMs = 30_000) {
  const deadline = Date.now() + limitMs;
  while (!(await holds())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('the setup exported a primary and two replicas, and PGPASSFILE', () => {
  expect(nodes.filter((n) => n.role === 'primary')).toHaveLength(1);
  expect(nodes.filter((n) => n.role === 'standby')).toHaveLength(2);
  expect(process.env.PGPASSFILE).toBe(cluster.env.passfile);
});

test('a row written on the primary is read from every replica once it has replayed the primary WAL', async () => {
  const primary = await connect(nodes.find((n) => n.role === 'primary'));
  const value = `order-${process.pid}-${Date.now()}`;
  let lsn;
  try {
    await primary.query('CREATE TABLE IF NOT EXISTS jest_orders (id text PRIMARY KEY)');
    await primary.query('INSERT INTO jest_orders (id) VALUES ($1)', [value]);
    lsn = (await primary.query('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0].lsn;
  } finally {
    await primary.end();
  }
  for (const node of nodes.filter((n) => n.role === 'standby')) {
    const replica = await connect(node);
    try {
      await until(`${node.name} replayed ${lsn}`, async () => (await replica.query('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done', [lsn])).rows[0].done);
      const found = await replica.query('SELECT id FROM jest_orders WHERE id = $1', [value]);
      expect(found.rows).toEqual([{ id: value }]);
    } finally {
      await replica.end();
    }
  }
});

test('a replica refuses a write as read-only (SQLSTATE 25006)', async () => {
  const replica = await connect(nodes.find((n) => n.role === 'standby'));
  try {
    await expect(replica.query('CREATE TABLE jest_refused (id int)')).rejects.toMatchObject({ code: '25006' });
  } finally {
    await replica.end();
  }
});
