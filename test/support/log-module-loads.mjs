// Preload (node --import this-file): report every file module Node loads, as "LOADED <url>" lines on stderr.
import { register } from 'node:module';

register(new URL('./log-module-loads-hooks.mjs', import.meta.url));
