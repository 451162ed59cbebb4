// `pnpm bench:startup [runs]`: how long the built `hotstandby` command takes to start, against bare Node in the same
// run. Each case runs `runs` times (default 7), the cases taking turns so load on the machine hits all of them
// alike; prints the median wall time of each and its difference from `node -e 0`, with the targets:
// --version and --help within 0.1 s of bare Node, `status --json` on a running primary + standby within 0.25 s.
// Brings the cluster up in a temporary directory on free ports first and removes it (down --purge) at the end.
// With --compare, also --version and status --json of the two ways the tests run the CLI: the launcher that
// compiles the TypeScript sources (packages/cli/bin/hotstandby.js) and the bundle built from them per e2e run.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleCli } from '../scripts/bundle-cli.mjs';

// The published `hotstandby` command: the package's "bin".
const cliDir = fileURLToPath(new URL('../packages/cli/', import.meta.url));
const bin = path.join(cliDir, JSON.parse(readFileSync(path.join(cliDir, 'package.json'), 'utf8')).bin.hotstandby);
const compare = process.argv.includes('--compare');
const runs = Number(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 7);

// A port nobody listens on.
function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Run a command to completion under GNU time; its wall time and CPU time (user + system) in seconds. CPU time
// says more than wall time on a busy machine, where waiting for a core inflates every wall time alike.
function timed(args, cwd) {
  const result = spawnSync('/usr/bin/time', ['-f', 'TIMES %e %U %S', process.execPath, ...args], { cwd, encoding: 'utf8' });
  const times = /TIMES (\S+) (\S+) (\S+)\s*$/.exec(result.stderr);
  if (result.status !== 0 || !times) throw new Error(`node ${args.join(' ')} failed (exit ${result.status}):\n${result.stdout}${result.stderr}`);
  return { wall: Number(times[1]), cpu: Number(times[2]) + Number(times[3]) };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'hotstandby-startup-'));
const sourceLauncher = path.join(cliDir, 'bin', 'hotstandby.js');
// The postgres OS user (servers run as it when root) must reach the data directories.
chmodSync(dir, 0o755);
const port = await freePort();
writeFileSync(path.join(dir, 'hotstandby.config.json'), JSON.stringify({ primary: { port }, standbys: [{ name: 'replica', port: await freePort() }] }));
try {
  const testBundle = compare ? await bundleCli({ outdir: path.join(dir, 'test-bundle'), mode: 'sources' }) : undefined;
  timed([bin, 'up', '--plain'], dir);
  const cases = [
    { name: 'node -e 0', args: ['-e', '0'] },
    { name: 'hotstandby --version', args: [bin, '--version'], target: 0.1 },
    { name: 'hotstandby --help', args: [bin, '--help'], target: 0.1 },
    { name: 'hotstandby status --json', args: [bin, 'status', '--json'], target: 0.25 },
    ...(compare
      ? [
          { name: 'sources --version', args: [sourceLauncher, '--version'] },
          { name: 'sources status --json', args: [sourceLauncher, 'status', '--json'] },
          { name: 'test bundle --version', args: [testBundle, '--version'] },
          { name: 'test bundle status --json', args: [testBundle, 'status', '--json'] },
        ]
      : []),
  ];
  const samples = cases.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [k, c] of cases.entries()) samples[k].push(timed(c.args, dir));
  }
  const wall = samples.map((s) => median(s.map((t) => t.wall)));
  const cpu = samples.map((s) => median(s.map((t) => t.cpu)));
  console.log(
    `${runs} runs each, alternating; load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n`,
  );
  console.log('CASE                       WALL s   MINUS NODE   CPU s   MINUS NODE   TARGET (wall, minus node)');
  cases.forEach((c, k) => {
    const diff = (values) => (k === 0 ? '' : (values[k] - values[0]).toFixed(3));
    const verdict = c.target === undefined ? '' : `${wall[k] - wall[0] <= c.target ? 'met' : 'missed'} (<= ${c.target})`;
    console.log(`${c.name.padEnd(26)} ${wall[k].toFixed(3).padStart(6)}   ${diff(wall).padStart(10)}   ${cpu[k].toFixed(3).padStart(5)}   ${diff(cpu).padStart(10)}   ${verdict}`);
  });
} finally {
  spawnSync(process.execPath, [bin, 'down', '--purge'], { cwd: dir, stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
}
