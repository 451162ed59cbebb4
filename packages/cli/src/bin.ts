#!/usr/bin/env node
import { buildContainer } from './composition-root.js';
import { runCli } from './main.js';
import { userCwd } from './user-cwd.js';

// Entry point of the `hotstandby` command.
const code = await runCli(process.argv.slice(2), {
  container: buildContainer(),
  cwd: userCwd(),
  out: (text) => process.stdout.write(text + '\n'),
  err: (text) => process.stderr.write(text + '\n'),
});
process.exitCode = code;
