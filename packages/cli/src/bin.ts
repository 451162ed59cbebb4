#!/usr/bin/env node
import { runCli } from './main.js';
import { userCwd } from './user-cwd.js';

// Entry point of the `hotstandby` command.
// Output piped into a command that stops reading early (| head) ends the program quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
// Ctrl-C: a command that takes the signal (up, add-standby, rebuild: long runs with partial work to clean up) is
// asked to stop cleanly by the first one and ended by a second; any other command ends at once, as usual.
const interrupt = new AbortController();
let cleanStop = false;
process.on('SIGINT', () => {
  if (!cleanStop || interrupt.signal.aborted) process.exit(130);
  process.stderr.write('\ninterrupted: stopping after cleaning up (Ctrl-C again to quit at once)\n');
  interrupt.abort(new Error('interrupted'));
});

const code = await runCli(process.argv.slice(2), {
  get signal() {
    cleanStop = true;
    return interrupt.signal;
  },
  cwd: userCwd(),
  out: (text) => process.stdout.write(text + '\n'),
  err: (text) => process.stderr.write(text + '\n'),
});
process.exitCode = code;
