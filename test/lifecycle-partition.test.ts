// A partition between a standby and its primary: a link that fails loudly (reset) and one that drops everything
// silently (black hole). status says since when the standby is disconnected; after the heal the standby reconnects
// by itself and every row written during the partition arrives.
import { afterEach, describe, expect, test } from 'vitest';
import type pg from 'pg';
import { nodeNamed } from './support/cluster-json.js';
import { upCluster, waitForStatus, waitReplayed } from './support/cluster-nodes.js';
import { clusterConfig, createProject } from './support/project.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';
import { waitFor } from './support/wait.js';

let proxy: TcpProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

// Point the standby's walreceiver at the proxy (and let it notice a silent link within 5 s), and wait until it
// streams through it.
async function streamThroughProxy(standby: pg.Client, primaryPort: number, through: TcpProxy): Promise<void> {
  const conninfo = (await standby.query<{ c: string }>("SELECT current_setting('primary_conninfo') AS c")).rows[0]!.c;
  const proxied = conninfo.replace(new RegExp(`port=${primaryPort}\\b`), `port=${through.port}`);
  expect(proxied).not.toBe(conninfo);
  await standby.query(`ALTER SYSTEM SET primary_conninfo = '${proxied.replace(/'/g, "''")}'`);
  await standby.query("ALTER SYSTEM SET wal_receiver_timeout = '5s'");
  await standby.query('SELECT pg_reload_conf()');
  await waitFor(
    async () => (await standby.query<{ ok: boolean }>("SELECT status = 'streaming' AND conninfo LIKE $1 AS ok FROM pg_stat_wal_receiver", [`%port=${through.port}%`])).rows[0]?.ok,
    { what: 'the standby to stream through the proxy', timeoutMs: 60_000 },
  );
}

describe('a partition between a standby and its primary', () => {
  test('status says since when it is cut off; after the heal it reconnects and the rows written meanwhile arrive', async () => {
    const project = await createProject();
    const config = await clusterConfig({ standbys: ['s1'] });
    const cluster = await upCluster(project, config);
    const primaryPort = (config.primary as { port: number }).port;
    const primary = await cluster.client('primary');
    const standby = await cluster.client('s1');
    proxy = await startTcpProxy(primaryPort);
    await streamThroughProxy(standby, primaryPort, proxy);
    await primary.query('CREATE TABLE partition_rows (id int)');

    for (const cut of ['blackhole', 'reset'] as const) {
      proxy[cut]();
      const cutOff = await waitForStatus(cluster, `s1 to be reported cut off (${cut})`, (s) => nodeNamed(s, 's1').disconnectedSince != null, 60_000);
      const s1 = nodeNamed(cutOff, 's1');
      expect(s1.state, `${cut}: ${JSON.stringify(s1)}`).toMatch(/disconnected since|nothing heard from/);
      expect(Number.isNaN(Date.parse(String(s1.disconnectedSince)))).toBe(false);
      await primary.query('INSERT INTO partition_rows SELECT generate_series(1, 1000)');
      proxy.heal();
      await waitReplayed(primary, standby, `s1 after the ${cut} healed`, 90_000);
      await waitForStatus(cluster, 's1 to stream again', (s) => nodeNamed(s, 's1').state === 'streaming' && nodeNamed(s, 's1').disconnectedSince == null, 60_000);
    }
    expect((await standby.query<{ n: string }>('SELECT count(*) AS n FROM partition_rows')).rows[0]!.n).toBe('2000');
  });
});
