// `pnpm bench:startup [runs]`: how long the built `hotstandby` command takes to start, against bare Node in the same
// run. Each case runs `runs` times (default 7), the cases taking turns so load on the machine hits all of them
// alike; prints the median wall time of each and its difference from `node -e 0`, with the targets:
// --version and --help within 0.1 s of bare Node, `status --json` on a running primary + standby within 0.25 s.
// Brings the cluster up in a temporary directory on free ports first and removes it (down --purge) at the end.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
const runs = Number(process.argv[2] ?? 7);

// A port nobody listens on.
function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Run a command to completion; its wall time in seconds (throws when it fails).
function timed(args, cwd) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed (exit ${result.status}):\n${result.stdout}${result.stderr}`);
  return seconds;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'hotstandby-startup-'));
// The postgres OS user (servers run as it when root) must reach the data directories.
chmodSync(dir, 0o755);
const port = await freePort();
writeFileSync(path.join(dir, 'hotstandby.config.json'), JSON.stringify({ primary: { port }, standbys: [{ name: 'replica', port: await freePort() }] }));
try {
  timed([bin, 'up', '--plain'], dir);
  const cases = [
    { name: 'node -e 0', args: ['-e', '0'] },
    { name: 'hotstandby --version', args: [bin, '--version'], target: 0.1 },
    { name: 'hotstandby --help', args: [bin, '--help'], target: 0.1 },
    { name: 'hotstandby status --json', args: [bin, 'status', '--json'], target: 0.25 },
  ];
  const samples = cases.map(() => []);
  for (let i = 0; i < runs; i++) cases.forEach((c, k) => samples[k].push(timed(c.args, dir)));
  const base = median(samples[0]);
  console.log(`${runs} runs each, alternating; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  console.log('CASE                       MEDIAN s   MINUS NODE s   TARGET');
  cases.forEach((c, k) => {
    const m = median(samples[k]);
    const diff = k === 0 ? '' : (m - base).toFixed(3);
    const verdict = c.target === undefined ? '' : `${m - base <= c.target ? 'met' : 'missed'} (<= ${c.target})`;
    console.log(`${c.name.padEnd(26)} ${m.toFixed(3).padStart(8)}   ${diff.padStart(12)}   ${verdict}`);
  });
} finally {
  spawnSync(process.execPath, [bin, 'down', '--purge'], { cwd: dir, stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
}
