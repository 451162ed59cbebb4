// Measures hotstandby against the hand-written recipe (bench/handwritten-recipe.sh), both run alternately in one
// invocation: a primary + N standbys built, verified and torn down (N = 1 and 3), with medians and the ratio;
// add-standby on a primary holding 2 million rows against a raw pg_basebackup of the same primary; peak RSS of the
// CLI (max RSS of the measured process tree's largest member, from GNU time). Not part of `pnpm test`; run with
// `pnpm bench [runs]`. The template cache lives in a directory of its own, warmed once before the runs.
import { execa } from 'execa';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveServerUser } from '@hotstandby/core';
import { freePort } from '@hotstandby/testing';

const here = path.dirname(fileURLToPath(import.meta.url));
// The CLI as users run it: bundled (as `pnpm build` publishes it) from this checkout's sources, into a temporary
// directory, so every measured command pays a real start-up and not the TypeScript compilation of the sources.
const bundleDir = await mkdtemp(path.join(os.tmpdir(), 'hotstandby-bench-cli-'));
const { bundleCli } = (await import(path.join(here, '..', 'scripts', 'bundle-cli.mjs'))) as { bundleCli(o: { outdir: string; mode: string }): Promise<string> };
const cli = await bundleCli({ outdir: path.join(bundleDir, 'cli'), mode: 'sources' });
const runs = Number(process.argv[2] ?? 5);
// add-standby on 2 million rows is slow to set up; it may run fewer times (the second argument).
const addRuns = Number(process.argv[3] ?? runs);
const BIN = '/usr/lib/postgresql/15/bin';
const PASSWORD = 'secret';
const serverUser = resolveServerUser();

interface Sample {
  seconds: number;
  maxRssMb: number;
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hotstandby-bench-'));
  await chmod(dir, 0o755);
  return dir;
}

const cacheDir = await tempDir();
const env = { ...process.env, HOTSTANDBY_SUPERUSER_PASSWORD: PASSWORD, HOTSTANDBY_CACHE_DIR: cacheDir };

async function timed(command: string, args: string[], cwd: string): Promise<Sample> {
  const result = await execa('/usr/bin/time', ['-f', '%e %M', command, ...args], { cwd, reject: false, all: true, env });
  if (result.exitCode !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.all}`);
  const [seconds, kb] = String(result.stderr).trim().split('\n').pop()!.split(' ').map(Number);
  return { seconds: seconds!, maxRssMb: kb! / 1024 };
}

// Several commands one after the other: their total time and the largest peak RSS.
function total(samples: Sample[]): Sample {
  return { seconds: samples.reduce((s, x) => s + x.seconds, 0), maxRssMb: Math.max(...samples.map((x) => x.maxRssMb)) };
}

async function ports(n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await freePort());
  return out;
}

async function handwritten(standbys: number): Promise<Sample> {
  const dir = await tempDir();
  const [primary, ...rest] = await ports(1 + standbys);
  try {
    return await timed('bash', [path.join(here, 'handwritten-recipe.sh'), path.join(dir, 'cluster'), String(primary), rest.join(','), BIN], dir);
  } finally {
    for (let i = standbys; i >= 0; i--) {
      const data = path.join(dir, 'cluster', i === 0 ? 'data' : `data-slave${i}`);
      await execa('runuser', ['-u', 'postgres', '--', `${BIN}/pg_ctl`, '-D', data, '-m', 'immediate', '-s', 'stop'], { reject: false });
    }
    await rm(dir, { recursive: true, force: true });
  }
}

async function project(standbys: number): Promise<string> {
  const dir = await tempDir();
  const [primary, ...rest] = await ports(1 + standbys);
  const config = {
    postgres: { binDir: BIN },
    primary: { port: primary },
    standbys: rest.map((port, i) => ({ name: `slave${i + 1}`, port })),
  };
  await writeFile(path.join(dir, 'hotstandby.config.json'), JSON.stringify(config));
  return dir;
}

async function withHotstandby(standbys: number): Promise<Sample> {
  const dir = await project(standbys);
  try {
    const up = await timed('node', [cli, 'up', '--plain'], dir);
    const verify = await timed('node', [cli, 'verify'], dir);
    const down = await timed('node', [cli, 'down', '--purge'], dir);
    return total([up, verify, down]);
  } finally {
    await execa('node', [cli, 'down', '--purge'], { cwd: dir, reject: false, env });
    await rm(dir, { recursive: true, force: true });
  }
}

// add-standby on a primary holding 2 million rows, and a raw pg_basebackup of the same primary (as postgres,
// through the same replication role and passfile, into a directory that is then removed).
async function addStandbyAgainstBasebackup(): Promise<{ add: Sample; raw: Sample }> {
  const dir = await project(0);
  try {
    await timed('node', [cli, 'up', '--plain'], dir);
    const status = JSON.parse((await execa('node', [cli, 'status', '--json'], { cwd: dir, env })).stdout) as { nodes: { port: number }[]; stateDir: string };
    const port = status.nodes[0]!.port;
    await execa(
      `${BIN}/psql`,
      [
        '-qX',
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        '-U',
        'postgres',
        '-c',
        'CREATE TABLE big AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 2000000) g; CHECKPOINT',
      ],
      {
        env: { ...env, PGPASSWORD: PASSWORD },
      },
    );
    const rawParent = path.join(dir, 'raw');
    await mkdir(rawParent, { mode: 0o700 });
    await chown(rawParent, serverUser.uid, serverUser.gid);
    const rawDir = path.join(rawParent, 'data');
    const passfile = path.join(status.stateDir, 'run', 'replication.pgpass');
    const raw = await timed(
      'runuser',
      [
        '-u',
        'postgres',
        '--',
        'env',
        `PGPASSFILE=${passfile}`,
        `${BIN}/pg_basebackup`,
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        '-U',
        'repuser',
        '-D',
        rawDir,
        '-X',
        'stream',
        '-c',
        'fast',
        '--no-password',
      ],
      dir,
    );
    await rm(rawParent, { recursive: true, force: true });
    const add = await timed('node', [cli, 'add-standby', 'late', '--port', String(await freePort()), '--plain'], dir);
    return { add, raw };
  } finally {
    await execa('node', [cli, 'down', '--purge'], { cwd: dir, reject: false, env });
    await rm(dir, { recursive: true, force: true });
  }
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)]!;

function row(name: string, samples: Sample[]): string {
  const s = sorted(samples.map((x) => x.seconds));
  return `| ${name} | ${median(s).toFixed(2)} | ${s[0]!.toFixed(2)}–${s[s.length - 1]!.toFixed(2)} | ${median(samples.map((x) => x.maxRssMb)).toFixed(0)} |`;
}

try {
  // One warm-up run builds the template (later runs copy it), as on any machine after the first `up`.
  await withHotstandby(1);
  const lines: string[] = [];
  for (const standbys of [1, 3]) {
    const hand: Sample[] = [];
    const tool: Sample[] = [];
    for (let i = 0; i < runs; i++) {
      hand.push(await handwritten(standbys));
      tool.push(await withHotstandby(standbys));
      process.stderr.write(`1+${standbys}: run ${i + 1}/${runs} done\n`);
    }
    lines.push(row(`1+${standbys} hand-written recipe (build, verify, stop, delete)`, hand));
    lines.push(row(`1+${standbys} hotstandby up + verify + down --purge`, tool));
    lines.push(`| 1+${standbys} ratio hotstandby / hand-written (medians) | ${(median(tool.map((x) => x.seconds)) / median(hand.map((x) => x.seconds))).toFixed(2)} | | |`);
  }
  const adds: Sample[] = [];
  const raws: Sample[] = [];
  for (let i = 0; i < addRuns; i++) {
    const { add, raw } = await addStandbyAgainstBasebackup();
    adds.push(add);
    raws.push(raw);
    process.stderr.write(`add-standby: run ${i + 1}/${addRuns} done\n`);
  }
  lines.push(row('raw pg_basebackup of a primary with 2M rows', raws));
  lines.push(row('hotstandby add-standby on that primary (build, start, verify)', adds));
  console.log(
    `PostgreSQL 15 (Debian), pg_basebackup, ${runs} runs each (add-standby ${addRuns}), ${os.cpus().length} cores, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n`,
  );
  console.log('| what | median s | range s | max RSS MB (median) |');
  console.log('|---|---|---|---|');
  for (const line of lines) console.log(line);
} finally {
  await rm(cacheDir, { recursive: true, force: true });
  await rm(bundleDir, { recursive: true, force: true });
}
