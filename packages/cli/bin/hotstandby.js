#!/usr/bin/env node
// Runs the CLI from this checkout's TypeScript sources, with no build step (`pnpm hotstandby`, the tests): the
// workspace packages resolve to their src/ through the "source" export condition, and tsx compiles them. The
// published package's `hotstandby` command is dist/bin.js instead (this directory is not shipped).
import { register } from 'node:module';
import { register as registerTypeScript } from 'tsx/esm/api';

register('./source-condition.mjs', import.meta.url);
registerTypeScript();
await import('../src/bin.ts');
