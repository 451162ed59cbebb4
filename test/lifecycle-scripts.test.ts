// `scripts --out DIR`: start and stop scripts for each node and for all of them, as the recipe's appendix has
// them. The POSIX ones really stop and start the cluster (as root they switch to the servers' OS user); the Windows
// .cmd ones quote every path. The state directory has a space and a single quote in its name, so unquoted paths
// would break (and pg_ctl, which runs the log path through the shell, must still cope).
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { describeRun, runProgram } from './support/cli.js';
import { nodeNamed } from './support/cluster-json.js';
import { ids, ok, processUid, upCluster, waitReplayed } from './support/cluster-nodes.js';
import { connect } from './support/pg.js';
import { postmastersUnder } from './support/processes.js';
import { clusterConfig, createProject } from './support/project.js';
import { waitFor } from './support/wait.js';
import { jsonResult } from './support/json-output.js';
import type { ScriptsJson } from 'hotstandby';

const NODES = ['main', 's1', 'leaf'];

describe('scripts', () => {
  test('writes start/stop scripts per node and for all; stop-all.sh and start-all.sh stop and start the cluster; .cmd quotes every path', async () => {
    const project = await createProject();
    const config = await clusterConfig({ primaryName: 'main', standbys: ['s1', 'leaf'], stateDir: "it's state dir" });
    (config.standbys as Record<string, unknown>[])[1]!.upstream = 's1';
    const cluster = await upCluster(project, config);
    const before = await cluster.status();

    const out = project.path('my scripts');
    const written = await ok(project, ['scripts', '--out', 'my scripts']);
    const expected = [
      ...NODES.flatMap((n) => ['sh', 'cmd'].flatMap((ext) => [`start-${n}.${ext}`, `stop-${n}.${ext}`])),
      'start-all.sh',
      'stop-all.sh',
      'start-all.cmd',
      'stop-all.cmd',
    ];
    for (const name of expected) expect(written.stdout, describeRun(written)).toContain(`  ${name}`);
    // --json: the directory and every script's absolute path.
    const json = jsonResult<ScriptsJson>(await project.run(['scripts', '--out', 'my scripts', '--json']));
    expect(json.dir).toBe(out);
    expect(json.files.map((f) => path.relative(out, f)).sort()).toEqual([...expected].sort());
    for (const name of expected) {
      const mode = statSync(path.join(out, name)).mode & 0o777;
      if (name.endsWith('.sh')) expect(mode & 0o111, `${name} is executable`).not.toBe(0);
    }

    // The .sh "all" scripts: start the primary first and each standby after its upstream; stop in reverse.
    const calls = (file: string) => [...readFileSync(path.join(out, file), 'utf8').matchAll(/"\$here"\/(start|stop)-([a-z0-9_-]+)\.sh/g)].map((m) => m[2]);
    expect(calls('start-all.sh')).toEqual(['main', 's1', 'leaf']);
    expect(calls('stop-all.sh')).toEqual(['leaf', 's1', 'main']);

    // Every .cmd quotes every path: outside double-quoted strings there is no path and no variable holding one.
    const paths = [...before.nodes.flatMap((n) => [n.dataDir, path.join(cluster.stateDir, 'logs')]), before.postgres!.binDir];
    for (const name of expected.filter((n) => n.endsWith('.cmd'))) {
      const text = readFileSync(path.join(out, name), 'utf8');
      expect(text.split('\r\n').length, `${name} has CRLF line endings`).toBeGreaterThan(2);
      for (const line of text.split('\r\n')) {
        if (/^\s*rem\b/i.test(line)) continue;
        const unquoted = line.replace(/"[^"]*"/g, '""');
        expect(unquoted, `${name}: ${line}`).not.toMatch(/%(PG_CTL|PGDATA|LOG)%|%~dp0/);
        for (const p of paths) expect(unquoted, `${name}: ${line}`).not.toContain(p);
        expect(line.split('"').length % 2, `${name}: unbalanced quotes in ${line}`).toBe(1);
      }
    }
    const startMainCmd = readFileSync(path.join(out, 'start-main.cmd'), 'utf8');
    expect(startMainCmd).toContain(`set "PGDATA=${nodeNamed(before, 'main').dataDir}"`);

    // stop-all.sh, run as root, stops every node (the standbys first), passing over one already stopped.
    const main = await cluster.client('main');
    await main.query('CREATE TABLE scripts_probe (id int)');
    await ok(project, ['stop', 's1']);
    const stopAll = await runProgram('sh', [path.join(out, 'stop-all.sh')], { cwd: project.dir });
    expect(stopAll.code, describeRun(stopAll)).toBe(0);
    expect(stopAll.stdout, describeRun(stopAll)).toMatch(/^s1: already stopped$/m);
    expect(postmastersUnder(cluster.stateDir)).toEqual([]);
    const stopped = await cluster.status();
    expect(stopped.nodes.map((n) => [n.name, n.running, n.state])).toEqual(NODES.map((n) => [n, false, 'stopped']));

    // stop-all.sh again, with nothing running, has nothing to do.
    const stopAllAgain = await runProgram('sh', [path.join(out, 'stop-all.sh')], { cwd: project.dir });
    expect(stopAllAgain.code, describeRun(stopAllAgain)).toBe(0);
    for (const name of NODES) expect(stopAllAgain.stdout, describeRun(stopAllAgain)).toMatch(new RegExp(`^${name}: already stopped$`, 'm'));

    // start-all.sh brings them back (passing over main, started by its own script), running as the servers' OS
    // user, and replication resumes.
    const startMain = await runProgram('sh', [path.join(out, 'start-main.sh')], { cwd: project.dir });
    expect(startMain.code, describeRun(startMain)).toBe(0);
    expect(postmastersUnder(nodeNamed(before, 'main').dataDir)).toHaveLength(1);
    const startAll = await runProgram('sh', [path.join(out, 'start-all.sh')], { cwd: project.dir });
    expect(startAll.code, describeRun(startAll)).toBe(0);
    expect(startAll.stdout, describeRun(startAll)).toMatch(/^main: already running$/m);
    const serverUid = statSync(nodeNamed(before, 'main').dataDir).uid;
    for (const name of NODES) {
      const running = postmastersUnder(nodeNamed(before, name).dataDir);
      expect(running, name).toHaveLength(1);
      expect(processUid(running[0]!.pid), `${name} runs as the data directory's owner`).toBe(serverUid);
    }
    const mainAgain = await connect(nodeNamed(before, 'main').port, cluster.password);
    try {
      await mainAgain.query('INSERT INTO scripts_probe VALUES (1)');
      for (const name of ['s1', 'leaf']) {
        const standby = await connect(nodeNamed(before, name).port, cluster.password);
        try {
          await waitReplayed(mainAgain, standby, name);
          expect(await ids(standby, 'scripts_probe')).toEqual([1]);
          await waitFor(async () => (await standby.query("SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming'")).rowCount === 1, { what: `${name} to stream` });
        } finally {
          await standby.end();
        }
      }
    } finally {
      await mainAgain.end();
    }

    // status (of a cluster whose paths have a space) sees them running and streaming again.
    const running = await cluster.status();
    expect(running.nodes.map((n) => [n.name, n.running, n.state, n.upstream, n.error ?? null])).toEqual([
      ['main', true, 'running', null, null],
      ['s1', true, 'streaming', 'main', null],
      ['leaf', true, 'streaming', 's1', null],
    ]);
  });
});
