// The recipe's manual check against the servers the Windows run started, through pg over TCP on 127.0.0.1.
// node pg-check.mjs replication PRIMARY_PORT STANDBY_PORT: the standby refuses an INSERT (read-only), and a row
//   written on the primary appears on it;
// node pg-check.mjs promoted PORT: the server is out of recovery and takes a write.
// The superuser's password comes from PGCHECK_PASSWORD (never an argument).
import pg from 'pg';

const [mode, ...ports] = process.argv.slice(2);
const password = process.env.PGCHECK_PASSWORD;
const connect = async (port) => {
  const client = new pg.Client({ host: '127.0.0.1', port: Number(port), user: 'postgres', password, database: 'postgres' });
  await client.connect();
  return client;
};
const fail = (message) => {
  console.error(`pg-check: ${message}`);
  process.exit(1);
};

if (mode === 'replication') {
  const primary = await connect(ports[0]);
  const standby = await connect(ports[1]);
  const marker = `row ${Date.now()}`;
  await primary.query('CREATE TABLE IF NOT EXISTS recipe_check (note text)');
  await primary.query('INSERT INTO recipe_check VALUES ($1)', [marker]);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { rows } = await standby.query("SELECT count(*)::int AS n FROM pg_class WHERE relname = 'recipe_check'");
    if (rows[0].n === 1 && (await standby.query('SELECT 1 FROM recipe_check WHERE note = $1', [marker])).rowCount === 1) break;
    if (Date.now() > deadline) fail('the row written on the primary did not appear on the standby within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  // 25006: read_only_sql_transaction ("cannot execute INSERT in a read-only transaction").
  const refused = await standby.query("INSERT INTO recipe_check VALUES ('on the standby')").then(
    () => undefined,
    (error) => error,
  );
  if (refused?.code !== '25006') fail(`the standby did not refuse an INSERT as read-only (${refused ? `${refused.code}: ${refused.message}` : 'it was accepted'})`);
  console.log(`pg-check: the standby refused an INSERT (${refused.message}); the primary's row appeared on it`);
  await Promise.all([primary.end(), standby.end()]);
} else if (mode === 'promoted') {
  const node = await connect(ports[0]);
  const { rows } = await node.query('SELECT pg_is_in_recovery() AS r');
  if (rows[0].r) fail('the promoted server is still in recovery');
  await node.query("INSERT INTO recipe_check VALUES ('after promotion')");
  console.log('pg-check: the promoted server takes writes');
  await node.end();
} else {
  fail(`unknown mode ${mode}`);
}
