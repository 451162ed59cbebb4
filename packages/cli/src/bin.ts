#!/usr/bin/env node
import { buildContainer } from './composition-root.js';
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
const code = await runCli(process.argv.slice(2), {
  container: buildContainer(),
  cwd: userCwd(),
  out: (text) => process.stdout.write(text + '\n'),
  err: (text) => process.stderr.write(text + '\n'),
});
process.exitCode = code;
