import { spawn, type ChildProcess } from 'node:child_process';

// What the watchdog cleans up when the test runner's process ends without tearing the cluster down.
export interface WatchdogPlan {
  // pg_ctl of the cluster's binaries.
  pgCtl: string;
  // The nodes' data directories: each running server is stopped (immediate: nothing needs to be kept).
  dataDirs: string[];
  // The account the servers run as (pg_ctl is run as it when the runner is root).
  serverUser: { uid: number; gid: number; isInvoker: boolean };
  // The run's temporary directory, deleted afterwards (data, slots, state); none for a project's own config.
  removeDir?: string;
}

// The watchdog: a separate process (its own process group, so the terminal's Ctrl-C does not reach it) that
// waits on its IPC channel. The runner says "done" after a normal teardown; when the channel closes without it
// (the runner was interrupted, exited early or was killed, even with SIGKILL), it stops the servers and removes
// the directory. Node builtins only: it runs as `node -e` from the sources and from the built package alike.
const WATCHDOG_SOURCE = `
const { spawnSync } = require('node:child_process');
const { rmSync } = require('node:fs');
const plan = JSON.parse(process.env.HOTSTANDBY_WATCHDOG_PLAN);
let done = false;
process.on('message', (m) => { if (m === 'done') done = true; });
process.on('disconnect', () => setImmediate(() => {
  if (done) process.exit(0);
  const asServer = plan.serverUser.isInvoker ? {} : { uid: plan.serverUser.uid, gid: plan.serverUser.gid };
  for (const dir of plan.dataDirs) spawnSync(plan.pgCtl, ['stop', '-D', dir, '-m', 'immediate', '-w', '-t', '60'], { stdio: 'ignore', cwd: '/', ...asServer });
  if (plan.removeDir) rmSync(plan.removeDir, { recursive: true, force: true });
  process.exit(0);
}));
`;

// Start the watchdog for a cluster; dismiss() after a normal teardown lets it exit without doing anything.
export function startCleanupWatchdog(plan: WatchdogPlan): { dismiss(): void } {
  const child: ChildProcess = spawn(process.execPath, ['-e', WATCHDOG_SOURCE], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    env: { PATH: process.env.PATH ?? '', HOTSTANDBY_WATCHDOG_PLAN: JSON.stringify(plan) },
  });
  // The runner's process may end without waiting for it.
  child.unref();
  child.channel?.unref();
  return {
    dismiss: () => {
      if (!child.connected) return;
      child.send('done', () => child.disconnect());
    },
  };
}
