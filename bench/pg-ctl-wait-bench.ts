// Measures PgNode.start and stop as they wait on this machine (postmaster.pid watched every 10 ms, pg_ctl stop -W)
// against pg_ctl's own wait (-w, a look every 100 ms, as on another host), alternately in one invocation: a
// primary and a standby streaming from it (copied from the stopped primary), each round starting the primary,
// then the standby, stopping the standby, then the primary. Prints every operation's median, range and the
// difference of the medians, and the load average. Not part of `pnpm test`; run as root with
// `node --conditions=source --import tsx bench/pg-ctl-wait-bench.ts [rounds]` (default 9 rounds of each).
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { editAutoConf, PgNode, versionFacts, writeFileAtomic } from '@hotstandby/core';
import { createTestPrimary, freePort } from '@hotstandby/testing';

const rounds = Number(process.argv[2] ?? 9);
const primary = await createTestPrimary();
const standbyDir = path.join(primary.dir, 'standby1');
const standbyPort = await freePort();
const ids = { mode: 0o600, uid: primary.serverUser.uid, gid: primary.serverUser.gid };

try {
  await primary.node.stop('fast');
  if (spawnSync('cp', ['-a', primary.dataDir, standbyDir]).status !== 0) throw new Error('copying the primary failed');
  const autoConf = path.join(standbyDir, 'postgresql.auto.conf');
  const conninfo = `host=127.0.0.1 port=${primary.port} user=postgres password=${primary.superuserPassword}`;
  await writeFileAtomic(autoConf, editAutoConf(await readFile(autoConf, 'utf8'), { port: String(standbyPort), primary_conninfo: conninfo }), ids);
  if (versionFacts(primary.binaries.major).standbySetup !== 'standby.signal') throw new Error('this bench builds a standby of PostgreSQL 12 or later');
  await writeFileAtomic(path.join(standbyDir, 'standby.signal'), '', ids);

  const handle = (name: string, dataDir: string, port: number, waitsLikePgCtl: boolean): PgNode => {
    const node = new PgNode({
      name,
      role: name === 'primary' ? 'primary' : 'standby',
      port,
      dataDir,
      binaries: primary.binaries,
      osUser: primary.serverUser,
      logFile: path.join(primary.dir, `${name}.log`),
      superuser: { name: 'postgres', password: primary.superuserPassword },
    });
    // The wait as before (and as for a node on another host): pg_ctl -w alone.
    if (waitsLikePgCtl) Object.assign(node, { watchesServerItself: () => false });
    return node;
  };
  const variants = {
    'pg_ctl -w': [handle('primary', primary.dataDir, primary.port, true), handle('standby1', standbyDir, standbyPort, true)] as const,
    'own wait': [handle('primary', primary.dataDir, primary.port, false), handle('standby1', standbyDir, standbyPort, false)] as const,
  };
  const operations = ['primary start', 'standby start', 'standby stop', 'primary stop'] as const;
  const samples = new Map<string, number[]>();
  const time = async (key: string, fn: () => Promise<void>) => {
    const begin = performance.now();
    await fn();
    samples.set(key, [...(samples.get(key) ?? []), performance.now() - begin]);
  };
  const loadBefore = os.loadavg();
  for (let round = 0; round < rounds; round++) {
    // Alternate which variant goes first, so neither always follows the other.
    const order = round % 2 === 0 ? (['pg_ctl -w', 'own wait'] as const) : (['own wait', 'pg_ctl -w'] as const);
    for (const variant of order) {
      const [p, s] = variants[variant];
      await time(`${variant}|primary start`, () => p.start());
      await time(`${variant}|standby start`, () => s.start());
      await time(`${variant}|standby stop`, () => s.stop('fast'));
      await time(`${variant}|primary stop`, () => p.stop('fast'));
    }
  }
  const loadAfter = os.loadavg();
  const median = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  const ms = (x: number) => String(Math.round(x)).padStart(5);
  console.log(`PostgreSQL ${versionFacts(primary.binaries.major).label} (${primary.binaries.binDir}), ${rounds} rounds of each, alternately`);
  console.log(`load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadAfter.map((l) => l.toFixed(2)).join(' ')}`);
  console.log('operation       | pg_ctl -w median (range) ms | own wait median (range) ms | gain ms');
  let totalGain = 0;
  for (const op of operations) {
    const a = samples.get(`pg_ctl -w|${op}`)!;
    const b = samples.get(`own wait|${op}`)!;
    const gain = median(a) - median(b);
    totalGain += gain;
    const range = (xs: number[]) => `(${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))})`;
    console.log(`${op.padEnd(15)} | ${ms(median(a))} ${range(a).padEnd(21)} | ${ms(median(b))} ${range(b).padEnd(20)} | ${ms(gain)}`);
  }
  console.log(`start + stop of both, sum of the median gains: ${Math.round(totalGain)} ms`);
} finally {
  spawnSync(path.join(primary.binaries.binDir, 'pg_ctl'), ['stop', '-D', standbyDir, '-m', 'immediate'], {
    stdio: 'ignore',
    uid: primary.serverUser.uid,
    gid: primary.serverUser.gid,
  });
  await primary.cleanup();
}
