#!/usr/bin/env node
import { enableCompileCache } from './compile-cache.js';

// Entry point of the `hotstandby` command. The compile cache is switched on before the command's code loads,
// so that code is what it caches.
enableCompileCache();
const { exitCodeForSignal, runCli } = await import('./main.js');
const { userCwd } = await import('./user-cwd.js');

// Output piped into a command that stops reading early (| head) ends the program quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
// Ctrl-C (SIGINT) and SIGTERM: a command that takes the signal (up, add-standby, rebuild: long runs with partial
// work to clean up) is asked to stop cleanly by the first one and ended by a second; any other command ends at
// once, as usual. Exit 130 for SIGINT, 143 for SIGTERM (128 + the signal's number).
const interrupt = new AbortController();
let cleanStop = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (!cleanStop || interrupt.signal.aborted) process.exit(exitCodeForSignal(signal));
    const what = signal === 'SIGINT' ? 'interrupted' : 'terminated';
    process.stderr.write(`\n${what}: stopping after cleaning up (${signal === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'} again to quit at once)\n`);
    interrupt.abort(Object.assign(new Error(what), { signal }));
  });
}
// Whatever way the tool exits, no program it started (each in a process group of its own) outlives it: the engine's
// process runner ends them on exit (it arranges that when it starts the first one).

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
