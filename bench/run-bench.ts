// Measures hotstandby against the hand-written recipe (bench/handwritten-recipe.sh): wall time and peak
// memory (max RSS of the measured process, from GNU time) of building a verified primary + standby, of a
// second `up` that changes nothing, and of `status`. Not part of `pnpm test`; run with `pnpm bench [runs]`.
import { execa } from 'execa';
import { mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@hotstandby/testing';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.join(here, '..', 'packages', 'cli', 'bin', 'hotstandby.js');
const runs = Number(process.argv[2] ?? 5);

interface Sample {
  seconds: number;
  maxRssMb: number;
}

async function timed(command: string, args: string[], cwd: string): Promise<Sample> {
  const result = await execa('/usr/bin/time', ['-f', '%e %M', command, ...args], { cwd, reject: false, all: true, env: { ...process.env, HOTSTANDBY_SUPERUSER_PASSWORD: 'secret' } });
  if (result.exitCode !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.all}`);
  const [seconds, kb] = String(result.stderr).trim().split('\n').pop()!.split(' ').map(Number);
  return { seconds: seconds!, maxRssMb: kb! / 1024 };
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hotstandby-bench-'));
  await chmod(dir, 0o755);
  return dir;
}

async function handwritten(): Promise<Sample> {
  const dir = await tempDir();
  try {
    return await timed('bash', [path.join(here, 'handwritten-recipe.sh'), path.join(dir, 'cluster'), String(await freePort()), String(await freePort())], dir);
  } finally {
    for (const d of ['data-slave1', 'data']) await execa('runuser', ['-u', 'postgres', '--', '/usr/lib/postgresql/15/bin/pg_ctl', '-D', path.join(dir, 'cluster', d), '-m', 'immediate', '-s', 'stop'], { reject: false });
    await rm(dir, { recursive: true, force: true });
  }
}

async function withHotstandby(): Promise<{ up: Sample; again: Sample; status: Sample }> {
  const dir = await tempDir();
  const config = {
    postgres: { binDir: '/usr/lib/postgresql/15/bin' },
    primary: { port: await freePort() },
    standbys: [{ name: 'slave1', port: await freePort() }],
    steps: { 'base-backup': { method: 'pg_basebackup' } },
  };
  await writeFile(path.join(dir, 'hotstandby.config.json'), JSON.stringify(config));
  try {
    const up = await timed('node', [cli, 'up', '--plain'], dir);
    const again = await timed('node', [cli, 'up', '--plain'], dir);
    const status = await timed('node', [cli, 'status', '--json'], dir);
    return { up, again, status };
  } finally {
    await execa('node', [cli, 'down', '--purge'], { cwd: dir, reject: false });
    await rm(dir, { recursive: true, force: true });
  }
}

function summary(name: string, samples: Sample[]): string {
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const s = sorted(samples.map((x) => x.seconds));
  const m = sorted(samples.map((x) => x.maxRssMb));
  const median = (xs: number[]) => xs[Math.floor(xs.length / 2)]!;
  return `| ${name} | ${median(s).toFixed(2)} | ${s[0]!.toFixed(2)}–${s[s.length - 1]!.toFixed(2)} | ${median(m).toFixed(0)} |`;
}

const hand: Sample[] = [];
const up: Sample[] = [];
const again: Sample[] = [];
const status: Sample[] = [];
for (let i = 0; i < runs; i++) {
  hand.push(await handwritten());
  const h = await withHotstandby();
  up.push(h.up);
  again.push(h.again);
  status.push(h.status);
  process.stderr.write(`run ${i + 1}/${runs} done\n`);
}
console.log(`PostgreSQL 15 (Debian), primary + 1 standby with pg_basebackup, ${runs} runs, ${os.cpus().length} cores\n`);
console.log('| what | median s | range s | max RSS MB (median) |');
console.log('|---|---|---|---|');
console.log(summary('hand-written recipe (bash + psql)', hand));
console.log(summary('hotstandby up (fresh)', up));
console.log(summary('hotstandby up (second run, nothing to do)', again));
console.log(summary('hotstandby status --json', status));
